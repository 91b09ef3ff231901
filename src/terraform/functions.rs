//! The Terraform functions the evaluator computes. Any other function, or a computed one whose
//! arguments are not known, is unknown and carries the references of its arguments, so that a
//! secret stays a secret through `base64encode(...)`.

use super::eval::{
    append_to_template, finish_template, known_equal, number, push_text, refs_of, unknown_with,
};
use crate::model::value::{pairwise_units, replaced_units, text_units};
use crate::model::{Entry, Part, SizeBudget, Value, ValueKind, last_of_each_key};
use crate::span::Span;

/// Whether `v` holds no unknown part: no unknown, no reference, no template with holes.
pub fn fully_known(v: &Value) -> bool {
    match &v.kind {
        ValueKind::Unknown(_) | ValueKind::Ref(_) | ValueKind::Template(_) => false,
        ValueKind::List(items) => items.iter().all(fully_known),
        ValueKind::Map(entries) => entries.iter().all(|e| fully_known(&e.value)),
        _ => true,
    }
}

/// What a function gives before its value is placed at the call.
enum Outcome {
    Known(Value),
    /// Unknown, with the references of the arguments.
    Unknown,
    /// The call fails on known arguments: Terraform reports an error, and `try` falls back.
    Failed,
}

impl From<Option<Value>> for Outcome {
    fn from(value: Option<Value>) -> Self {
        value.map_or(Outcome::Unknown, Outcome::Known)
    }
}

/// Whether the kind of `v` is known: it is not unknown, a reference or a template with holes.
/// A function fails only on an argument whose kind is known and which it does not take.
fn kind_known(v: &Value) -> bool {
    !matches!(
        v.kind,
        ValueKind::Unknown(_) | ValueKind::Ref(_) | ValueKind::Template(_)
    )
}

/// Unknown when `v`'s kind is not known, failed when it is (and the function does not take it).
fn wrong_kind(v: &Value) -> Outcome {
    if kind_known(v) {
        Outcome::Failed
    } else {
        Outcome::Unknown
    }
}

/// Calls `name` on evaluated `args`; the result is used at `span`. `None` when the call fails
/// on known arguments, as Terraform would report an error: `lookup` of a missing key without
/// a default, `coalesce` of nulls only, `length(null)`. That is what `try` falls back on.
///
/// Past the evaluation's `budget`, a call is unknown; what it makes is counted.
pub fn call(name: &str, args: Vec<Value>, span: Span, budget: &SizeBudget) -> Option<Value> {
    let name = name.strip_prefix("provider::").unwrap_or(name);
    if budget.is_spent() {
        return Some(unknown_with(refs_of(&args), span));
    }
    match outcome(name, &args, span, budget) {
        Outcome::Known(v) => {
            budget.made(&v);
            Some(v.used_at(span))
        }
        Outcome::Unknown => Some(unknown_with(refs_of(&args), span)),
        Outcome::Failed => None,
    }
}

fn outcome(name: &str, args: &[Value], span: Span, budget: &SizeBudget) -> Outcome {
    match name {
        "nonsensitive" | "sensitive" | "tolist" | "tomap" | "tostring" | "tonumber" | "tobool" => {
            match (name, args) {
                ("tostring", [v]) => match &v.kind {
                    ValueKind::Number(_) | ValueKind::Bool(_) => {
                        Outcome::Known(Value::string(v.to_text().unwrap_or_default(), span))
                    }
                    ValueKind::List(_) | ValueKind::Map(_) => Outcome::Failed,
                    _ => Outcome::Known(v.clone()),
                },
                ("tonumber", [v]) => match number(v) {
                    Some(n) => Outcome::Known(Value::new(ValueKind::Number(n), span)),
                    // null stays null; a word, a bool, a list or a map is no number.
                    None if kind_known(v) && !v.is_null() => Outcome::Failed,
                    None => Outcome::Known(v.clone()),
                },
                (_, [v]) => Outcome::Known(v.clone()),
                _ => Outcome::Unknown,
            }
        }
        "toset" | "distinct" => match args {
            [v] => match &v.kind {
                ValueKind::List(items) => {
                    if !budget.make(pairwise_units(items.len())) {
                        return Outcome::Unknown;
                    }
                    Outcome::Known(Value::new(ValueKind::List(distinct(items)), v.span))
                }
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        },
        "merge" => {
            let mut entries: Vec<Entry> = Vec::new();
            for arg in args {
                match &arg.kind {
                    ValueKind::Map(es) => entries.extend(es.iter().cloned()),
                    ValueKind::Null => {}
                    _ => return wrong_kind(arg),
                }
            }
            let entries = last_of_each_key(entries, false);
            Outcome::Known(Value::new(ValueKind::Map(entries), span))
        }
        "concat" => {
            let mut items = Vec::new();
            for arg in args {
                match &arg.kind {
                    ValueKind::List(xs) => items.extend(xs.iter().cloned()),
                    _ => return wrong_kind(arg),
                }
            }
            Outcome::Known(Value::new(ValueKind::List(items), span))
        }
        "lookup" => match args {
            [map, key, rest @ ..] if rest.len() <= 1 => match (&map.kind, key.to_text()) {
                (ValueKind::Map(entries), Some(k)) => {
                    match entries.iter().rev().find(|e| e.key == k) {
                        Some(e) => Outcome::Known(e.value.clone()),
                        None => rest
                            .first()
                            .cloned()
                            .map_or(Outcome::Failed, Outcome::Known),
                    }
                }
                (ValueKind::Map(_), None) => wrong_kind(key),
                _ => wrong_kind(map),
            },
            _ => Outcome::Unknown,
        },
        "coalesce" => {
            for arg in args {
                if !kind_known(arg) {
                    return Outcome::Unknown;
                }
                if arg.is_null() || arg.as_str() == Some("") {
                    continue;
                }
                return Outcome::Known(arg.clone());
            }
            // Terraform: "no non-null, non-empty-string arguments".
            Outcome::Failed
        }
        "format" => format(args, span).into(),
        "join" => match args {
            [sep, list] => match (sep.as_str(), &list.kind) {
                (Some(sep), ValueKind::List(items)) => {
                    let mut out: Vec<Part> = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            push_text(&mut out, sep);
                        }
                        append_to_template(&mut out, item.clone());
                    }
                    Outcome::Known(finish_template(out, span))
                }
                (Some(_), _) => wrong_kind(list),
                (None, _) if sep.is_null() => Outcome::Failed,
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        },
        "lower" | "upper" | "trimspace" => match args {
            [v] if v.is_null() => Outcome::Failed,
            [v] => v
                .as_str()
                .map(|s| {
                    let s = match name {
                        "lower" => s.to_lowercase(),
                        "upper" => s.to_uppercase(),
                        _ => s.trim().to_string(),
                    };
                    Value::string(s, span)
                })
                .into(),
            _ => Outcome::Unknown,
        },
        "replace" => match args {
            [s, from, to] => match (s.as_str(), from.as_str(), to.as_str()) {
                (Some(s), Some(from), Some(to)) if !from.is_empty() && !is_regex(from) => {
                    if !budget.make(replaced_units(s, from, to)) {
                        return Outcome::Unknown;
                    }
                    Outcome::Known(Value::string(s.replace(from, to), span))
                }
                (Some(s), Some(from), Some(to)) if is_regex(from) => {
                    // Each match may grow into `to` with its groups expanded.
                    let most = s.len() + (s.len() + 1) * to.len();
                    let Some(re) = compiled(&from[1..from.len() - 1]) else {
                        return Outcome::Unknown;
                    };
                    if !budget.make(text_units(most)) {
                        return Outcome::Unknown;
                    }
                    Outcome::Known(Value::string(re.replace_all(s, to), span))
                }
                _ if s.is_null() => Outcome::Failed,
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        },
        "element" => match args {
            [list, index] => match (&list.kind, number(index)) {
                (ValueKind::List(items), _) if items.is_empty() => Outcome::Failed,
                (ValueKind::List(items), Some(i)) if i >= 0.0 => {
                    Outcome::Known(items[(i as usize) % items.len()].clone())
                }
                (ValueKind::List(_), _) => Outcome::Unknown,
                _ => wrong_kind(list),
            },
            _ => Outcome::Unknown,
        },
        "keys" | "values" => match args {
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
                    Outcome::Known(Value::new(ValueKind::List(items), span))
                }
                _ => wrong_kind(map),
            },
            _ => Outcome::Unknown,
        },
        "flatten" => match args {
            [v] if matches!(v.kind, ValueKind::List(_)) => {
                let mut out = Vec::new();
                flatten(v, &mut out, 0)
                    .then(|| Value::new(ValueKind::List(out), span))
                    .into()
            }
            [v] => wrong_kind(v),
            _ => Outcome::Unknown,
        },
        "jsonencode" => match args {
            [v] => v
                .json_text(span, go_json_text)
                .map_or(Outcome::Unknown, Outcome::Known),
            _ => Outcome::Unknown,
        },
        "jsondecode" => match args {
            [v] => match &v.kind {
                ValueKind::String(text) => {
                    Value::from_json_text(text, span, None).map_or(Outcome::Failed, Outcome::Known)
                }
                _ => wrong_kind(v),
            },
            _ => Outcome::Unknown,
        },
        "contains" => match args {
            [list, value] => match &list.kind {
                ValueKind::List(items) if fully_known(value) => {
                    if !budget.make(items.len() as u64) {
                        return Outcome::Unknown;
                    }
                    if items.iter().any(|item| known_equal(item, value)) {
                        Outcome::Known(boolean(true, span))
                    } else if items.iter().all(fully_known) {
                        Outcome::Known(boolean(false, span))
                    } else {
                        // An unknown item may be the value.
                        Outcome::Unknown
                    }
                }
                ValueKind::List(_) => Outcome::Unknown,
                _ => wrong_kind(list),
            },
            _ => Outcome::Unknown,
        },
        "split" => match args {
            [separator, text] => match (separator.as_str(), text.as_str()) {
                (Some(separator), Some(text)) => {
                    let pieces: Vec<&str> = match separator {
                        // Go's strings.Split: each character.
                        "" => text.split_terminator("").skip(1).collect(),
                        _ => text.split(separator).collect(),
                    };
                    if !budget.make(text_units(text.len()) + pieces.len() as u64) {
                        return Outcome::Unknown;
                    }
                    let items = pieces
                        .into_iter()
                        .map(|piece| Value::string(piece, span))
                        .collect();
                    Outcome::Known(Value::new(ValueKind::List(items), span))
                }
                _ if separator.is_null() || text.is_null() => Outcome::Failed,
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        },
        "startswith" | "endswith" | "strcontains" => match args {
            [text, part] => match (text.as_str(), part.as_str()) {
                (Some(text), Some(part)) => Outcome::Known(boolean(
                    match name {
                        "startswith" => text.starts_with(part),
                        "endswith" => text.ends_with(part),
                        _ => text.contains(part),
                    },
                    span,
                )),
                _ if text.is_null() || part.is_null() => Outcome::Failed,
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        },
        "length" => match args {
            [v] => match &v.kind {
                ValueKind::List(items) => Some(items.len()),
                ValueKind::Map(entries) => Some(entries.len()),
                ValueKind::String(s) => Some(s.chars().count()),
                _ => return wrong_kind(v),
            }
            .map(|n| Value::new(ValueKind::Number(n as f64), span))
            .into(),
            _ => Outcome::Unknown,
        },
        "basename" => match args {
            [path] => match path.as_str() {
                Some(path) => Outcome::Known(Value::string(basename(path), span)),
                None => wrong_kind(path),
            },
            _ => Outcome::Unknown,
        },
        "substr" => match args {
            [text, offset, length] => match (text.as_str(), number(offset), number(length)) {
                (Some(text), Some(offset), Some(length)) => substr(text, offset, length)
                    .map(|piece| Value::string(piece, span))
                    .into(),
                _ if text.is_null() => Outcome::Failed,
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        },
        "compact" => match args {
            [list] => match &list.kind {
                ValueKind::List(items) => {
                    let mut kept = Vec::new();
                    for item in items {
                        match &item.kind {
                            ValueKind::Null => {}
                            ValueKind::String(text) if text.is_empty() => {}
                            ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Bool(_) => {
                                kept.push(item.clone())
                            }
                            _ => return Outcome::Unknown,
                        }
                    }
                    Outcome::Known(Value::new(ValueKind::List(kept), span))
                }
                _ => wrong_kind(list),
            },
            _ => Outcome::Unknown,
        },
        "coalescelist" => {
            for arg in args {
                match &arg.kind {
                    ValueKind::List(items) if items.is_empty() => {}
                    ValueKind::List(_) => return Outcome::Known(arg.clone()),
                    _ => return Outcome::Unknown,
                }
            }
            Outcome::Unknown
        }
        "alltrue" | "anytrue" => match args {
            [list] => match &list.kind {
                ValueKind::List(items) => {
                    // `alltrue` is decided by one false, `anytrue` by one true, whatever else
                    // is unknown.
                    let deciding = name == "anytrue";
                    let mut all_known = true;
                    for item in items {
                        match item.as_bool() {
                            Some(b) if b == deciding => return Outcome::Known(boolean(b, span)),
                            Some(_) => {}
                            None => all_known = false,
                        }
                    }
                    match all_known {
                        true => Outcome::Known(boolean(!deciding, span)),
                        false => Outcome::Unknown,
                    }
                }
                _ => wrong_kind(list),
            },
            _ => Outcome::Unknown,
        },
        "one" => match args {
            [list] => match &list.kind {
                ValueKind::List(items) => match items.as_slice() {
                    [] => Outcome::Known(Value::new(ValueKind::Null, span)),
                    [item] => Outcome::Known(item.clone()),
                    _ => Outcome::Failed,
                },
                ValueKind::Null => Outcome::Known(Value::new(ValueKind::Null, span)),
                _ => wrong_kind(list),
            },
            _ => Outcome::Unknown,
        },
        "setunion" | "setintersection" | "setsubtract" => {
            let mut lists = Vec::new();
            for arg in args {
                match &arg.kind {
                    ValueKind::List(items) if items.iter().all(fully_known) => lists.push(items),
                    _ => return Outcome::Unknown,
                }
            }
            let Some((first, rest)) = lists.split_first() else {
                return Outcome::Unknown;
            };
            let units: usize = lists.iter().map(|items| items.len()).sum();
            if (name == "setsubtract" && rest.len() != 1) || !budget.make(pairwise_units(units)) {
                return Outcome::Unknown;
            }
            let in_list = |items: &Vec<Value>, v: &Value| items.iter().any(|i| known_equal(i, v));
            let candidates: Vec<&Value> = match name {
                "setunion" => lists.iter().flat_map(|items| items.iter()).collect(),
                "setintersection" => first
                    .iter()
                    .filter(|v| rest.iter().all(|items| in_list(items, v)))
                    .collect(),
                _ => first.iter().filter(|v| !in_list(rest[0], v)).collect(),
            };
            Outcome::Known(Value::new(ValueKind::List(distinct(candidates)), span))
        }
        "regex" | "regexall" => match args {
            [pattern, text] => match (pattern.as_str(), text.as_str()) {
                (Some(pattern), Some(text)) => {
                    let Some(re) = compiled(pattern) else {
                        return Outcome::Unknown;
                    };
                    if !budget.make(text_units(text.len())) {
                        return Outcome::Unknown;
                    }
                    let mut results = Vec::new();
                    for captures in re.captures_iter(text) {
                        match matched(&re, &captures, span) {
                            Some(result) => results.push(result),
                            None => return Outcome::Unknown,
                        }
                        if name == "regex" {
                            break;
                        }
                    }
                    match name {
                        "regex" => results.pop().map_or(Outcome::Failed, Outcome::Known),
                        _ => Outcome::Known(Value::new(ValueKind::List(results), span)),
                    }
                }
                _ if pattern.is_null() || text.is_null() => Outcome::Failed,
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        },
        "min" | "max" => {
            let numbers: Option<Vec<f64>> = args.iter().map(number).collect();
            match numbers {
                Some(numbers) if !numbers.is_empty() => {
                    let pick = if name == "min" { f64::min } else { f64::max };
                    let n = numbers.into_iter().reduce(pick).unwrap_or_default();
                    Outcome::Known(Value::new(ValueKind::Number(n), span))
                }
                _ => Outcome::Unknown,
            }
        }
        _ => Outcome::Unknown,
    }
}

/// Terraform's regular expressions are RE2's, which the `regex` crate reads the same but for
/// details (`\d` is any Unicode digit here): a pattern it does not take leaves the call unknown,
/// not failed. Compiled patterns are kept per thread, since a `for` expression calls `regex`
/// with one pattern per item; the size limits bound what a hostile pattern can cost.
fn compiled(pattern: &str) -> Option<regex::Regex> {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
            Default::default();
    }
    const KEPT: usize = 64;
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return re.clone();
        }
        // Terraform's patterns are a few dozen bytes; 64 kB of program takes hundreds.
        let re = regex::RegexBuilder::new(pattern)
            .size_limit(1 << 16)
            .dfa_size_limit(1 << 16)
            .build()
            .ok();
        if cache.len() >= KEPT {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
        re
    })
}

/// What `regex` gives for one match: the matched text when the pattern has no group, the
/// groups' texts as a list (unnamed) or a map (named). `None` where Terraform's answer is not
/// certain: named and unnamed groups mixed (an error), or a group that took no part.
fn matched(re: &regex::Regex, captures: &regex::Captures, span: Span) -> Option<Value> {
    let groups = re.captures_len() - 1;
    if groups == 0 {
        return Some(Value::string(&captures[0], span));
    }
    let group = |i: usize| captures.get(i).map(|m| Value::string(m.as_str(), span));
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().all(Option::is_none) {
        let items = (1..=groups).map(group).collect::<Option<Vec<_>>>()?;
        return Some(Value::new(ValueKind::List(items), span));
    }
    let entries = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Some(Entry {
                key: (*name)?.to_string(),
                span: None,
                value: group(i + 1)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Value::new(ValueKind::Map(entries), span))
}

/// `items` with each fully known value kept once, in order, as a Terraform set holds them;
/// a value with unknown parts may equal any other, so it is kept as it is.
fn distinct<'v>(items: impl IntoIterator<Item = &'v Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        let duplicate =
            fully_known(item) && out.iter().any(|o| fully_known(o) && known_equal(o, item));
        if !duplicate {
            out.push(item.clone());
        }
    }
    out
}

/// The last element of a `/`-separated path, as Go's `filepath.Base` on Linux: trailing
/// slashes dropped, `.` for an empty path, `/` for one of slashes only.
fn basename(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// `length` characters of `text` from `offset` (from the end when negative; `length` -1 for
/// the rest), when Terraform's answer is certain: `None` for text that is not ASCII, where it
/// counts grapheme clusters, and for an offset or length out of range.
fn substr(text: &str, offset: f64, length: f64) -> Option<&str> {
    if !text.is_ascii() || offset.fract() != 0.0 || length.fract() != 0.0 {
        return None;
    }
    let len = text.len() as f64;
    let start = if offset < 0.0 { len + offset } else { offset };
    if !(0.0..=len).contains(&start) || length < -1.0 {
        return None;
    }
    let end = if length == -1.0 {
        len
    } else {
        (start + length).min(len)
    };
    text.get(start as usize..end as usize)
}

fn boolean(b: bool, span: Span) -> Value {
    Value::new(ValueKind::Bool(b), span)
}

/// JSON text as Terraform's `jsonencode` writes it (Go's encoder): keys sorted, and `<`, `>`,
/// `&`, U+2028 and U+2029 escaped, which can only be in strings.
fn go_json_text(json: &serde_json::Value) -> String {
    let text = json.to_string();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                escaped.push_str(&format!("\\u{:04x}", c as u32));
            }
            _ => escaped.push(c),
        }
    }
    escaped
}

/// `replace` treats `/.../` as a regular expression.
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
    use crate::model::Ref;
    use crate::span::FileId;

    /// A call with a budget of its own.
    fn call(name: &str, args: Vec<Value>, span: Span) -> Option<Value> {
        super::call(name, args, span, &SizeBudget::default())
    }

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
    fn path_string_list_and_set_functions_compute_what_terraform_does() {
        let span = Span::new(FileId(0), 5..9);
        let list = |items: Vec<Value>| Value::new(ValueKind::List(items), span);
        let n = |x: f64| Value::new(ValueKind::Number(x), span);
        let b = |x: bool| Value::new(ValueKind::Bool(x), span);
        let null = Value::new(ValueKind::Null, span);
        let unknown = Value::unknown(span);
        let text = |v: Option<Value>| v.and_then(|v| v.to_text());
        let texts = |v: Option<Value>| -> Option<Vec<String>> {
            v?.items().iter().map(Value::to_text).collect()
        };
        let id = "/providers/Microsoft.Authorization/roleDefinitions/b24988ac";
        assert_eq!(
            text(call("basename", vec![s(id)], span)).as_deref(),
            Some("b24988ac")
        );
        for (path, base) in [("a/b/", "b"), ("", "."), ("//", "/"), ("file", "file")] {
            assert_eq!(
                text(call("basename", vec![s(path)], span)).as_deref(),
                Some(base)
            );
        }
        let substr = |t: &str, o: f64, l: f64| text(call("substr", vec![s(t), n(o), n(l)], span));
        assert_eq!(substr("hello world", 1.0, 4.0).as_deref(), Some("ello"));
        assert_eq!(substr("hello world", -5.0, -1.0).as_deref(), Some("world"));
        assert_eq!(substr("hello", 2.0, 100.0).as_deref(), Some("llo"));
        // Grapheme clusters and offsets out of range are left unknown.
        assert!(
            call("substr", vec![s("h\u{e9}llo"), n(0.0), n(2.0)], span)
                .is_some_and(|v| !v.is_known())
        );
        assert!(
            call("substr", vec![s("abc"), n(9.0), n(1.0)], span).is_some_and(|v| !v.is_known())
        );
        let compacted = call(
            "compact",
            vec![list(vec![s("a"), s(""), null.clone(), s("b")])],
            span,
        );
        assert_eq!(texts(compacted), Some(vec!["a".into(), "b".into()]));
        assert!(
            call("compact", vec![list(vec![s("a"), unknown.clone()])], span)
                .is_some_and(|v| !v.is_known())
        );
        let first = call(
            "coalescelist",
            vec![list(vec![]), list(vec![s("x")]), list(vec![s("y")])],
            span,
        );
        assert_eq!(texts(first), Some(vec!["x".into()]));
        // One false decides `alltrue`, one true `anytrue`, whatever else is unknown.
        let truth = |name: &str, items: Vec<Value>| {
            call(name, vec![list(items)], span).and_then(|v| v.as_bool())
        };
        assert_eq!(truth("alltrue", vec![b(true), s("true")]), Some(true));
        assert_eq!(
            truth("alltrue", vec![unknown.clone(), b(false)]),
            Some(false)
        );
        assert_eq!(truth("alltrue", vec![b(true), unknown.clone()]), None);
        assert_eq!(truth("alltrue", vec![]), Some(true));
        assert_eq!(truth("anytrue", vec![unknown.clone(), b(true)]), Some(true));
        assert_eq!(truth("anytrue", vec![b(false)]), Some(false));
        assert_eq!(truth("anytrue", vec![b(false), unknown.clone()]), None);
        assert_eq!(
            text(call("one", vec![list(vec![s("only")])], span)).as_deref(),
            Some("only")
        );
        assert!(call("one", vec![list(vec![])], span).is_some_and(|v| v.is_null()));
        assert!(call("one", vec![list(vec![s("a"), s("b")])], span).is_none());
        let (ab, bc) = (list(vec![s("a"), s("b")]), list(vec![s("b"), s("c")]));
        let set = |name: &str| texts(call(name, vec![ab.clone(), bc.clone()], span));
        assert_eq!(
            set("setunion"),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(set("setintersection"), Some(vec!["b".into()]));
        assert_eq!(set("setsubtract"), Some(vec!["a".into()]));
        assert!(
            call(
                "setunion",
                vec![ab.clone(), list(vec![unknown.clone()])],
                span
            )
            .is_some_and(|v| !v.is_known())
        );
        assert_eq!(
            text(call("min", vec![n(3.0), s("2"), n(5.0)], span)).as_deref(),
            Some("2")
        );
        assert_eq!(
            text(call("max", vec![n(3.0), n(5.0)], span)).as_deref(),
            Some("5")
        );
        assert!(call("max", vec![n(3.0), unknown], span).is_some_and(|v| !v.is_known()));
    }

    #[test]
    fn regular_expressions_give_what_terraform_gives() {
        let span = Span::new(FileId(0), 5..9);
        let text = |v: Option<Value>| v.and_then(|v| v.to_text());
        let id = "/subscriptions/0000/resourceGroups/rg-app/providers/Microsoft.Web/sites/app";
        let regex = |pattern: &str| call("regex", vec![s(pattern), s(id)], span);
        assert_eq!(text(regex("rg-[a-z]+")).as_deref(), Some("rg-app"));
        let groups = regex("resourceGroups/([^/]+)/providers/([^/]+)").expect("a match");
        let groups: Vec<_> = groups.items().iter().map(|v| v.to_text()).collect();
        assert_eq!(
            groups,
            [Some("rg-app".into()), Some("Microsoft.Web".into())]
        );
        let named = regex("sites/(?P<site>[^/]+)").expect("a match");
        assert_eq!(
            named.get("site").and_then(Value::to_text).as_deref(),
            Some("app")
        );
        // No match is Terraform's error, which `try` falls back on.
        assert!(regex("virtualMachines").is_none());
        // What RE2 may read otherwise, and what Terraform rejects, stay unknown.
        assert!(regex("(?<=x)y").is_some_and(|v| !v.is_known()));
        assert!(regex("(?P<a>x)?(s)").is_some_and(|v| !v.is_known()));
        let all = call("regexall", vec![s("[a-z]+s/"), s(id)], span).expect("a list");
        let all: Vec<String> = all.items().iter().filter_map(Value::to_text).collect();
        assert_eq!(all, ["subscriptions/", "roups/", "providers/", "sites/"]);
        let none = call("regexall", vec![s("x{2}"), s(id)], span).expect("a list");
        assert!(none.items().is_empty());
        let replaced = call(
            "replace",
            vec![s("rg-app-01"), s("/-(\\d+)$/"), s("_$1")],
            span,
        );
        assert_eq!(text(replaced).as_deref(), Some("rg-app_01"));
    }

    #[test]
    fn tests_on_lists_and_strings_compute_where_their_arguments_decide() {
        let span = Span::new(FileId(0), 5..9);
        let list = |items: Vec<Value>| Value::new(ValueKind::List(items), span);
        let bool_of = |v: Option<Value>| v.and_then(|v| v.as_bool());
        let envs = list(vec![s("prod"), s("test")]);
        assert_eq!(
            bool_of(call("contains", vec![envs.clone(), s("prod")], span)),
            Some(true)
        );
        assert_eq!(
            bool_of(call("contains", vec![envs.clone(), s("dev")], span)),
            Some(false)
        );
        // An unknown item may be the value; an unknown value may be any item.
        let partly = list(vec![s("prod"), secret_ref()]);
        assert_eq!(
            bool_of(call("contains", vec![partly.clone(), s("prod")], span)),
            Some(true)
        );
        assert_eq!(
            bool_of(call("contains", vec![partly, s("dev")], span)),
            None
        );
        assert_eq!(
            bool_of(call("contains", vec![envs, secret_ref()], span)),
            None
        );
        assert!(call("contains", vec![s("prod"), s("prod")], span).is_none());

        let texts = |v: Option<Value>| {
            v.map(|v| {
                v.items()
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect::<Vec<_>>()
            })
        };
        let id = s("/providers/Microsoft.Authorization/policyDefinitions/Deny-Storage-http");
        let pieces = texts(call("split", vec![s("/"), id.clone()], span)).unwrap();
        assert_eq!(pieces.len(), 5);
        assert_eq!(pieces[0], "");
        assert_eq!(pieces[4], "Deny-Storage-http");
        assert_eq!(
            texts(call("split", vec![s(","), s("")], span)),
            Some(vec![String::new()])
        );
        assert_eq!(
            texts(call("split", vec![s(""), s("ab")], span)),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert!(call("split", vec![s("/"), secret_ref()], span).is_some_and(|v| !v.is_known()));

        assert_eq!(
            bool_of(call("startswith", vec![id.clone(), s("/providers/")], span)),
            Some(true)
        );
        assert_eq!(
            bool_of(call("endswith", vec![id.clone(), s("-http")], span)),
            Some(true)
        );
        assert_eq!(
            bool_of(call(
                "strcontains",
                vec![id.clone(), s("Authorization")],
                span
            )),
            Some(true)
        );
        assert_eq!(
            bool_of(call("endswith", vec![id, s("-https")], span)),
            Some(false)
        );
        assert_eq!(
            bool_of(call("startswith", vec![secret_ref(), s("/")], span)),
            None
        );
    }

    #[test]
    fn known_functions_compute() {
        let span = Span::new(FileId(0), 5..9);
        let v = call("format", vec![s("/subscriptions/%s/x"), s("abc")], span).unwrap();
        assert_eq!(v.as_str(), Some("/subscriptions/abc/x"));
        assert_eq!(v.span, span);
        let v = call("lower", vec![s("OwNeR")], span).unwrap();
        assert_eq!(v.as_str(), Some("owner"));
        let list = Value::new(ValueKind::List(vec![s("a"), s("b")]), span);
        assert_eq!(
            call("join", vec![s("-"), list.clone()], span)
                .unwrap()
                .as_str(),
            Some("a-b")
        );
        assert_eq!(
            call("length", vec![list], span).unwrap().kind,
            ValueKind::Number(2.0)
        );
    }

    #[test]
    fn json_is_written_as_terraform_writes_it_and_read_back() {
        let span = Span::new(FileId(0), 5..9);
        let entry = |key: &str, value: Value| Entry {
            key: key.into(),
            span: None,
            value,
        };
        let number = |n| Value::new(ValueKind::Number(n), span);
        let list = Value::new(ValueKind::List(vec![number(1.0), number(1.5)]), span);
        let object = Value::new(
            ValueKind::Map(vec![
                entry("b", s("<a & b>")),
                entry("a", list),
                entry("c", Value::new(ValueKind::Null, span)),
            ]),
            span,
        );
        // Keys sorted, whole numbers without a fraction, HTML characters escaped (Go's encoder).
        let text = call("jsonencode", vec![object.clone()], span).unwrap();
        let expected = r#"{"a":[1,1.5],"b":"\u003ca \u0026 b\u003e","c":null}"#;
        assert_eq!(text.as_str(), Some(expected));
        let decoded = call("jsondecode", vec![text], span).unwrap();
        assert_eq!(decoded.get("b").and_then(Value::as_str), Some("<a & b>"));
        let items = decoded.get("a").map(Value::items).unwrap_or_default();
        assert_eq!(items.get(1).map(|v| &v.kind), Some(&ValueKind::Number(1.5)));
        assert!(call("jsondecode", vec![s("{not json")], span).is_none());
        // With a reference inside: a template whose hole is the reference, where its JSON would
        // be, read back around it.
        let with_ref = Value::new(
            ValueKind::Map(vec![
                entry("key", secret_ref()),
                entry("password", s("hunter2-but-longer")),
            ]),
            span,
        );
        let v = call("jsonencode", vec![with_ref], span).unwrap();
        assert_eq!(
            v.text_with_holes("?").as_deref(),
            Some(r#"{"key":?,"password":"hunter2-but-longer"}"#)
        );
        assert!(v.refs().iter().any(|r| r.secret));
        let decoded = v.json_decoded().expect("the JSON around the reference");
        assert!(matches!(&decoded.get("key").unwrap().kind, ValueKind::Ref(r) if r.secret));
        assert_eq!(
            decoded.get("password").and_then(Value::as_str),
            Some("hunter2-but-longer")
        );
        // A known string that holds the mark of a hole is not written around it.
        let marked = Value::new(
            ValueKind::Map(vec![
                entry("a", secret_ref()),
                entry("b", s("\u{e000}0\u{e000}")),
            ]),
            span,
        );
        let v = call("jsonencode", vec![marked], span).unwrap();
        assert!(matches!(&v.kind, ValueKind::Unknown(refs) if refs.len() == 1 && refs[0].secret));
    }

    #[test]
    fn unknown_functions_carry_secret_refs() {
        let span = Span::new(FileId(0), 5..9);
        let v = call("base64encode", vec![secret_ref()], span).unwrap();
        assert!(matches!(&v.kind, ValueKind::Unknown(refs) if refs.len() == 1 && refs[0].secret));
        let v = call("format", vec![s("k=%s"), secret_ref()], span).unwrap();
        assert!(v.refs().iter().any(|r| r.secret));
        assert!(matches!(v.kind, ValueKind::Template(_)));
    }

    #[test]
    fn calls_on_arguments_a_function_does_not_take_fail() {
        let span = Span::new(FileId(0), 5..9);
        let null = || Value::new(ValueKind::Null, span);
        let map = Value::new(
            ValueKind::Map(vec![Entry {
                key: "a".into(),
                span: None,
                value: s("1"),
            }]),
            span,
        );
        let empty = Value::new(ValueKind::List(Vec::new()), span);
        for (name, args) in [
            ("lookup", vec![map.clone(), s("b")]),
            ("lookup", vec![null(), s("a")]),
            ("coalesce", vec![null(), s("")]),
            ("length", vec![null()]),
            ("element", vec![empty.clone(), s("0")]),
            ("keys", vec![s("a")]),
            ("concat", vec![empty.clone(), null()]),
            ("merge", vec![map.clone(), s("a")]),
            ("lower", vec![null()]),
            ("tonumber", vec![s("twelve")]),
        ] {
            assert!(call(name, args, span).is_none(), "{name} should fail");
        }
        // The same calls on what they take, or on unknown values, do not fail.
        assert_eq!(
            call("lookup", vec![map.clone(), s("b"), s("d")], span)
                .unwrap()
                .as_str(),
            Some("d")
        );
        assert_eq!(
            call("coalesce", vec![null(), s("x")], span)
                .unwrap()
                .as_str(),
            Some("x")
        );
        assert_eq!(
            call("tonumber", vec![null()], span).unwrap().kind,
            ValueKind::Null
        );
        for (name, args) in [
            ("lookup", vec![secret_ref(), s("a")]),
            ("coalesce", vec![null(), secret_ref()]),
            ("length", vec![secret_ref()]),
            ("concat", vec![empty, secret_ref()]),
            ("tonumber", vec![secret_ref()]),
        ] {
            let v = call(name, args, span).unwrap();
            assert!(
                v.refs().iter().any(|r| r.secret),
                "{name} keeps the reference"
            );
        }
    }
}
