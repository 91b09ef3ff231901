//! The Terraform functions the evaluator computes. Any other function, or a computed one whose
//! arguments are not known, is unknown and carries the references of its arguments, so that a
//! secret stays a secret through `base64encode(...)`.

use super::eval::{
    append_to_template, finish_template, known_equal, number, push_entry, push_text,
};
use crate::model::{Entry, Part, Ref, Value, ValueKind};
use crate::span::Span;

fn unknown(args: &[Value], span: Span) -> Value {
    let mut refs: Vec<Ref> = Vec::new();
    for arg in args {
        for r in arg.refs() {
            if !refs.contains(r) {
                refs.push(r.clone());
            }
        }
    }
    Value::new(ValueKind::Unknown(refs), span)
}

/// Whether `v` holds no unknown part: no unknown, no reference, no template with holes.
pub fn fully_known(v: &Value) -> bool {
    match &v.kind {
        ValueKind::Unknown(_) | ValueKind::Ref(_) | ValueKind::Template(_) => false,
        ValueKind::List(items) => items.iter().all(fully_known),
        ValueKind::Map(entries) => entries.iter().all(|e| fully_known(&e.value)),
        _ => true,
    }
}

fn is_unknown(v: &Value) -> bool {
    matches!(v.kind, ValueKind::Unknown(_) | ValueKind::Ref(_))
}

/// Calls `name` on evaluated `args`; the result is used at `span`.
pub fn call(name: &str, args: Vec<Value>, span: Span) -> Value {
    let name = name.strip_prefix("provider::").unwrap_or(name);
    let result = match name {
        "nonsensitive" | "sensitive" | "tolist" | "tomap" | "tostring" | "tonumber" | "tobool" => {
            match (name, args.as_slice()) {
                ("tostring", [v])
                    if matches!(v.kind, ValueKind::Number(_) | ValueKind::Bool(_)) =>
                {
                    Some(Value::string(v.to_text().unwrap_or_default(), span))
                }
                ("tonumber", [v]) => number(v)
                    .map(|n| Value::new(ValueKind::Number(n), span))
                    .or_else(|| Some(v.used_at(span))),
                (_, [v]) => Some(v.clone()),
                _ => None,
            }
        }
        "toset" | "distinct" => match args.as_slice() {
            [v] => match &v.kind {
                ValueKind::List(items) => {
                    let mut out: Vec<Value> = Vec::new();
                    for item in items {
                        let duplicate = fully_known(item)
                            && out.iter().any(|o| fully_known(o) && known_equal(o, item));
                        if !duplicate {
                            out.push(item.clone());
                        }
                    }
                    Some(Value::new(ValueKind::List(out), v.span))
                }
                _ => None,
            },
            _ => None,
        },
        "merge" => {
            let mut entries: Vec<Entry> = Vec::new();
            let mut ok = true;
            for arg in &args {
                match &arg.kind {
                    ValueKind::Map(es) => {
                        es.iter().for_each(|e| push_entry(&mut entries, e.clone()))
                    }
                    ValueKind::Null => {}
                    _ => ok = false,
                }
            }
            ok.then(|| Value::new(ValueKind::Map(entries), span))
        }
        "concat" => {
            let mut items = Vec::new();
            let mut ok = true;
            for arg in &args {
                match &arg.kind {
                    ValueKind::List(xs) => items.extend(xs.iter().cloned()),
                    _ => ok = false,
                }
            }
            ok.then(|| Value::new(ValueKind::List(items), span))
        }
        "lookup" => match args.as_slice() {
            [map, key, rest @ ..] => match (&map.kind, key.to_text()) {
                (ValueKind::Map(entries), Some(k)) => {
                    match entries.iter().rev().find(|e| e.key == k) {
                        Some(e) => Some(e.value.clone()),
                        None => rest.first().cloned(),
                    }
                }
                _ => None,
            },
            _ => None,
        },
        "coalesce" => {
            let mut result = None;
            for arg in &args {
                if is_unknown(arg) || matches!(arg.kind, ValueKind::Template(_)) {
                    break;
                }
                if arg.is_null() || arg.as_str() == Some("") {
                    continue;
                }
                result = Some(arg.clone());
                break;
            }
            result
        }
        "format" => format(&args, span),
        "join" => match args.as_slice() {
            [sep, list] => match (sep.as_str(), &list.kind) {
                (Some(sep), ValueKind::List(items)) => {
                    let mut out: Vec<Part> = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            push_text(&mut out, sep);
                        }
                        append_to_template(&mut out, item.clone());
                    }
                    Some(finish_template(out, span))
                }
                _ => None,
            },
            _ => None,
        },
        "lower" | "upper" | "trimspace" => match args.as_slice() {
            [v] => v.as_str().map(|s| {
                let s = match name {
                    "lower" => s.to_lowercase(),
                    "upper" => s.to_uppercase(),
                    _ => s.trim().to_string(),
                };
                Value::string(s, span)
            }),
            _ => None,
        },
        "replace" => match args.as_slice() {
            [s, from, to] => match (s.as_str(), from.as_str(), to.as_str()) {
                (Some(s), Some(from), Some(to)) if !from.is_empty() && !is_regex(from) => {
                    Some(Value::string(s.replace(from, to), span))
                }
                _ => None,
            },
            _ => None,
        },
        "element" => match args.as_slice() {
            [list, index] => match (&list.kind, number(index)) {
                (ValueKind::List(items), Some(i)) if !items.is_empty() && i >= 0.0 => {
                    Some(items[(i as usize) % items.len()].clone())
                }
                _ => None,
            },
            _ => None,
        },
        "keys" | "values" => match args.as_slice() {
            [map] => match &map.kind {
                ValueKind::Map(entries) => {
                    let mut sorted: Vec<&Entry> = entries.iter().collect();
                    sorted.sort_by(|a, b| a.key.cmp(&b.key));
                    let items = sorted
                        .into_iter()
                        .map(|e| {
                            if name == "keys" {
                                Value::string(e.key.clone(), e.span.unwrap_or(span))
                            } else {
                                e.value.clone()
                            }
                        })
                        .collect();
                    Some(Value::new(ValueKind::List(items), span))
                }
                _ => None,
            },
            _ => None,
        },
        "flatten" => match args.as_slice() {
            [v] if matches!(v.kind, ValueKind::List(_)) => {
                let mut out = Vec::new();
                flatten(v, &mut out, 0).then(|| Value::new(ValueKind::List(out), span))
            }
            _ => None,
        },
        "length" => match args.as_slice() {
            [v] => match &v.kind {
                ValueKind::List(items) => Some(items.len()),
                ValueKind::Map(entries) => Some(entries.len()),
                ValueKind::String(s) => Some(s.chars().count()),
                _ => None,
            }
            .map(|n| Value::new(ValueKind::Number(n as f64), span)),
            _ => None,
        },
        _ => None,
    };
    match result {
        Some(v) => v.used_at(span),
        None => unknown(&args, span),
    }
}

/// `replace` treats `/.../` as a regular expression, which is not evaluated here.
fn is_regex(pattern: &str) -> bool {
    pattern.len() > 1 && pattern.starts_with('/') && pattern.ends_with('/')
}

fn flatten(v: &Value, out: &mut Vec<Value>, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    match &v.kind {
        ValueKind::List(items) => items.iter().all(|i| flatten(i, out, depth + 1)),
        ValueKind::Unknown(_) | ValueKind::Ref(_) => false,
        _ => {
            out.push(v.clone());
            true
        }
    }
}

/// `format` with `%s`, `%d`, `%v` and `%%`; unknown arguments become holes.
fn format(args: &[Value], span: Span) -> Option<Value> {
    let (spec, rest) = args.split_first()?;
    let spec = spec.as_str()?;
    let mut out: Vec<Part> = Vec::new();
    let mut next = rest.iter();
    let mut chars = spec.chars().peekable();
    let mut text = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        // Flags and width are not rendered; the verb decides.
        let mut verb = None;
        for c in chars.by_ref() {
            if c.is_ascii_alphabetic() || c == '%' {
                verb = Some(c);
                break;
            }
        }
        match verb? {
            '%' => text.push('%'),
            's' | 'd' | 'v' | 'q' | 'f' | 'g' | 'x' | 't' => {
                push_text(&mut out, &text);
                text.clear();
                let arg = next.next()?.clone();
                match arg.kind {
                    ValueKind::String(_)
                    | ValueKind::Number(_)
                    | ValueKind::Bool(_)
                    | ValueKind::Template(_)
                    | ValueKind::Unknown(_)
                    | ValueKind::Ref(_) => append_to_template(&mut out, arg),
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    push_text(&mut out, &text);
    Some(finish_template(out, span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn s(text: &str) -> Value {
        Value::string(text, Span::new(FileId(0), 0..1))
    }

    fn secret_ref() -> Value {
        Value::new(
            ValueKind::Ref(Box::new(Ref {
                resource: Some(1),
                text: "azurerm_storage_account.sa.primary_access_key".into(),
                attribute: "primary_access_key".into(),
                secret: true,
            })),
            Span::new(FileId(0), 2..3),
        )
    }

    #[test]
    fn known_functions_compute() {
        let span = Span::new(FileId(0), 5..9);
        let v = call("format", vec![s("/subscriptions/%s/x"), s("abc")], span);
        assert_eq!(v.as_str(), Some("/subscriptions/abc/x"));
        assert_eq!(v.span, span);
        let v = call("lower", vec![s("OwNeR")], span);
        assert_eq!(v.as_str(), Some("owner"));
        let list = Value::new(ValueKind::List(vec![s("a"), s("b")]), span);
        assert_eq!(
            call("join", vec![s("-"), list.clone()], span).as_str(),
            Some("a-b")
        );
        assert_eq!(
            call("length", vec![list], span).kind,
            ValueKind::Number(2.0)
        );
    }

    #[test]
    fn unknown_functions_carry_secret_refs() {
        let span = Span::new(FileId(0), 5..9);
        let v = call("base64encode", vec![secret_ref()], span);
        assert!(matches!(&v.kind, ValueKind::Unknown(refs) if refs.len() == 1 && refs[0].secret));
        let v = call("format", vec![s("k=%s"), secret_ref()], span);
        assert!(v.refs().iter().any(|r| r.secret));
        assert!(matches!(v.kind, ValueKind::Template(_)));
    }
}
