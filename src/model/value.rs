//! Resolved values. A value is known (a literal after resolution), a reference to an attribute
//! of a declared resource that is only known at deploy time, or unknown.

use std::cell::Cell;
use std::sync::Arc;

use crate::model::ResourceId;
use crate::span::Span;

/// A value with the place it is used and, when it was written elsewhere, where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    /// Where the value is used: the expression in the resource, block or output that holds it.
    pub span: Span,
    /// Where a literal was written when that is not `span`: a variable default, a tfvars file,
    /// an ARM parameter file, a module argument.
    pub origin: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// A string only partly known, such as `"/subscriptions/${var.sub}/resourceGroups/rg"`.
    Template(Vec<Part>),
    List(Vec<Value>),
    Map(Vec<Entry>),
    /// An attribute of a declared resource that is known only at deploy time
    /// (`azurerm_user_assigned_identity.app.principal_id`, ARM `reference(...)`).
    Ref(Box<Ref>),
    /// Not known before deployment; derived from these references, if any.
    Unknown(Vec<Ref>),
}

/// A piece of a [`ValueKind::Template`].
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Hole(Box<Value>),
}

/// One key of a map, an attribute or a block in a resource body.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    /// The whole `key = value` attribute, block or JSON property, when written in source.
    pub span: Option<Span>,
    pub value: Value,
}

/// A reference to something only the deployment knows. Its texts are shared: every unknown
/// value computed from a reference copies it, and copying the strings was 13 % of the
/// allocations of an ARM scan.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ref {
    /// The resource the reference names, when it is declared in the configuration.
    pub resource: Option<ResourceId>,
    /// What is referenced, as written: `azurerm_storage_account.sa.primary_access_key`,
    /// `listKeys(...)`, `reference(...).identity.principalId`.
    pub text: Arc<str>,
    /// The attribute path within the resource (`identity.0.principal_id`, `principalId`).
    pub attribute: Arc<str>,
    /// True when the referenced attribute is a credential: a key, password, connection string or
    /// SAS (a `Sensitive` azurerm attribute, a Key Vault secret value, an ARM `list*()` result).
    pub secret: bool,
}

/// What [`Value::key`] puts for a part that nothing is known about, not even the references it
/// depends on: two keys with it may name different things.
pub const ANONYMOUS_HOLE: &str = "{?}";

/// How much one evaluation may copy out of named values (variables, locals, parameters,
/// outputs, loop and lambda variables) into the places that use them, and make in the results
/// of functions. Values that double through a chain of names (`a1 = concat(a0, a0)`, ...,
/// `a40`) would need 2^40 nodes, and so would forty nested calls that each double what they are
/// given (`format('{0}{0}', ...)`, `replace(x, "a", "aa")`, `string(createArray(x))` escaping
/// its quotes). Past the budget, uses of named values and results of functions are unknown. A
/// copy or a call only starts while the budget lasts, and a call makes at most a few times what
/// it is given, so memory stays within a small multiple of the budget.
///
/// The unit is a node, 16 bytes of text, or 16 comparisons (`union` of lists).
#[derive(Debug, Default)]
pub struct SizeBudget {
    spent: Cell<u64>,
}

impl SizeBudget {
    /// The most one evaluation of the corpus spends is 403,000, of which 398,000 on copies.
    const LIMIT: u64 = 2_000_000;

    /// `value` used at `span`, or an unknown value once the budget is spent.
    pub fn used_at(&self, value: &Value, span: Span) -> Value {
        if self.is_spent() {
            return Value::unknown(span);
        }
        let mut size = 0;
        let copy = value.copied_to(span, &mut size);
        self.spent.set(self.spent.get() + size);
        copy
    }

    /// Whether the budget is spent: a function called now yields an unknown.
    pub fn is_spent(&self) -> bool {
        self.spent.get() > Self::LIMIT
    }

    /// Spends `units` on a value about to be made, for a function whose result can be far
    /// larger than its arguments (`replace`, `format`); false, and nothing spent, when that
    /// would pass the budget: the function then yields an unknown.
    pub fn make(&self, units: u64) -> bool {
        let spent = self.spent.get().saturating_add(units);
        if spent > Self::LIMIT {
            return false;
        }
        self.spent.set(spent);
        true
    }

    /// Counts what a function made: the value's own node and text. Its items were made or
    /// copied, and counted, before.
    pub fn made(&self, value: &Value) {
        self.spent.set(self.spent.get() + value.own_size());
    }
}

/// The entries of a map built from `entries` in order, as `merge`, `union` and a literal with a
/// repeated key build it: each key once, the last of its entries winning, at that entry's place.
/// Linear: a map of 50,000 keys took 30 s with a search of the kept entries for each one.
pub fn last_of_each_key(entries: Vec<Entry>, ignore_ascii_case: bool) -> Vec<Entry> {
    use std::borrow::Cow;
    fn key(e: &Entry, ignore_ascii_case: bool) -> Cow<'_, str> {
        if ignore_ascii_case && e.key.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(e.key.to_ascii_lowercase())
        } else {
            Cow::Borrowed(&e.key)
        }
    }
    // Most maps are small and have no repeated key: compared pairwise, without a table.
    let same = |a: &Entry, b: &Entry| match ignore_ascii_case {
        true => a.key.eq_ignore_ascii_case(&b.key),
        false => a.key == b.key,
    };
    if entries.len() <= 16
        && (1..entries.len()).all(|i| entries[..i].iter().all(|b| !same(&entries[i], b)))
    {
        return entries;
    }
    let mut seen = foldhash::HashSet::with_capacity_and_hasher(entries.len(), Default::default());
    let last: Vec<bool> = entries
        .iter()
        .rev()
        .map(|e| seen.insert(key(e, ignore_ascii_case)))
        .collect();
    drop(seen);
    if last.iter().all(|&l| l) {
        return entries;
    }
    let last = last.into_iter().rev();
    entries
        .into_iter()
        .zip(last)
        .filter_map(|(e, last)| last.then_some(e))
        .collect()
}

/// Budget units for `bytes` of text.
pub fn text_units(bytes: usize) -> u64 {
    bytes as u64 / 16
}

/// Budget units for comparing each of `items` with those before it (`union`, `distinct`).
pub fn pairwise_units(items: usize) -> u64 {
    let items = items as u64;
    items * items / 2 / 16
}

/// Budget units for what `replace` makes of `text`, every `from` becoming `to`: counted before
/// it is made, since one call can make far more than it is given.
pub fn replaced_units(text: &str, from: &str, to: &str) -> u64 {
    let grown = text.matches(from).count() * to.len().saturating_sub(from.len());
    text_units(text.len() + grown)
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Value {
        Value {
            kind,
            span,
            origin: None,
        }
    }

    pub fn unknown(span: Span) -> Value {
        Value::new(ValueKind::Unknown(Vec::new()), span)
    }

    pub fn string(text: impl Into<String>, span: Span) -> Value {
        Value::new(ValueKind::String(text.into()), span)
    }

    /// The same value used at another place: nested literals keep where they were written, and
    /// nested values written inside that place keep their own place, which is more precise
    /// (`{ KEY = var.x }` inside `merge(local.common, { KEY = var.x })` stays at `var.x`).
    pub fn used_at(&self, span: Span) -> Value {
        self.copied_to(span, &mut 0)
    }

    /// [`Value::used_at`], adding the size of the copy to `size`: a node for each value and one
    /// for every 16 bytes of text.
    fn copied_to(&self, span: Span, size: &mut u64) -> Value {
        self.copy_placed(span, false, size)
    }

    /// The size of this node alone, in [`SizeBudget`] units: its text, or its number of items.
    pub fn own_size(&self) -> u64 {
        1 + match &self.kind {
            ValueKind::String(s) => text_units(s.len()),
            ValueKind::Template(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => 1 + text_units(t.len()),
                    Part::Hole(_) => 1,
                })
                .sum(),
            ValueKind::List(items) => items.len() as u64,
            ValueKind::Map(entries) => entries.len() as u64,
            _ => 0,
        }
    }

    fn copy_placed(&self, span: Span, nested: bool, size: &mut u64) -> Value {
        // One pass that copies and relocates: values of parameters and variables are copied
        // into every place that uses them.
        *size += 1;
        let kind = match &self.kind {
            ValueKind::List(items) => ValueKind::List(
                items
                    .iter()
                    .map(|v| v.copy_placed(span, true, size))
                    .collect(),
            ),
            ValueKind::Map(entries) => ValueKind::Map(
                entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        span: e.span,
                        value: e.value.copy_placed(span, true, size),
                    })
                    .collect(),
            ),
            ValueKind::Template(parts) => ValueKind::Template(
                parts
                    .iter()
                    .map(|p| match p {
                        Part::Text(t) => {
                            *size += text_units(t.len());
                            Part::Text(t.clone())
                        }
                        Part::Hole(v) => Part::Hole(Box::new(v.copy_placed(span, true, size))),
                    })
                    .collect(),
            ),
            ValueKind::String(s) => {
                *size += text_units(s.len());
                ValueKind::String(s.clone())
            }
            kind => kind.clone(),
        };
        let (span, origin) = self.placed(span, nested);
        Value { kind, span, origin }
    }

    /// As [`Value::used_at`], for a value that is not needed where it was.
    pub fn moved_to(mut self, span: Span) -> Value {
        self.relocate(span, false);
        self
    }

    fn relocate(&mut self, span: Span, nested: bool) {
        (self.span, self.origin) = self.placed(span, nested);
        match &mut self.kind {
            ValueKind::List(items) => items.iter_mut().for_each(|v| v.relocate(span, true)),
            ValueKind::Map(entries) => entries
                .iter_mut()
                .for_each(|e| e.value.relocate(span, true)),
            ValueKind::Template(parts) => parts.iter_mut().for_each(|p| {
                if let Part::Hole(v) = p {
                    v.relocate(span, true)
                }
            }),
            _ => {}
        }
    }

    /// Where the value is, and where it was written, once it is used at `span`: a nested value
    /// written inside `span` stays where it is.
    fn placed(&self, span: Span, nested: bool) -> (Span, Option<Span>) {
        if nested && !self.span.is_empty() && span.contains(self.span) {
            (self.span, self.origin)
        } else {
            (span, self.relocated_origin(span))
        }
    }

    /// Where the value was written once it is used at `span`.
    fn relocated_origin(&self, span: Span) -> Option<Span> {
        if self.span == span {
            self.origin
        } else {
            self.origin.or(Some(self.span))
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// A known boolean, accepting the strings `"true"`/`"false"` as Terraform converts them.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            ValueKind::Bool(b) => Some(*b),
            ValueKind::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            ValueKind::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(
            self.kind,
            ValueKind::Unknown(_) | ValueKind::Ref(_) | ValueKind::Template(_)
        )
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, ValueKind::Null)
    }

    /// A known string, or a known scalar rendered as Terraform would.
    pub fn to_text(&self) -> Option<String> {
        match &self.kind {
            ValueKind::String(s) => Some(s.clone()),
            ValueKind::Bool(b) => Some(b.to_string()),
            ValueKind::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            ValueKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Value] {
        match &self.kind {
            ValueKind::List(items) => items,
            _ => std::slice::from_ref(self),
        }
    }

    /// The entry named `key` (case-insensitive, as ARM property names are).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case(key))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follows a dotted path of keys; a list of one block is stepped through, as Terraform's
    /// `site_config.0.app_settings` and `site_config[0]` both mean the single block.
    pub fn path(&self, path: &str) -> Option<&Value> {
        let mut value = self;
        for key in path.split('.') {
            value = match &value.kind {
                ValueKind::List(items) if items.len() == 1 => items[0].get(key)?,
                _ => value.get(key)?,
            };
        }
        Some(value)
    }

    /// Every reference this value depends on, however deep.
    pub fn refs(&self) -> Vec<&Ref> {
        let mut out = Vec::new();
        self.for_each_ref(&mut |r| out.push(r));
        out
    }

    /// Calls `f` with every reference this value depends on, however deep, in the order
    /// [`Value::refs`] lists them.
    pub fn for_each_ref<'a>(&'a self, f: &mut impl FnMut(&'a Ref)) {
        match &self.kind {
            ValueKind::Ref(r) => f(r),
            ValueKind::Unknown(refs) => refs.iter().for_each(&mut *f),
            ValueKind::List(items) => items.iter().for_each(|v| v.for_each_ref(f)),
            ValueKind::Map(entries) => entries.iter().for_each(|e| e.value.for_each_ref(f)),
            ValueKind::Template(parts) => parts.iter().for_each(|p| {
                if let Part::Hole(v) = p {
                    v.for_each_ref(f)
                }
            }),
            _ => {}
        }
    }

    /// The known text of a string or template, with `hole` standing in for unknown parts.
    pub fn text_with_holes(&self, hole: &str) -> Option<String> {
        match &self.kind {
            ValueKind::String(s) => Some(s.clone()),
            ValueKind::Template(parts) => Some(
                parts
                    .iter()
                    .map(|p| match p {
                        Part::Text(t) => t.clone(),
                        Part::Hole(v) => v.text_with_holes(hole).unwrap_or_else(|| hole.into()),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// A stable text for a name or id that may hold holes: known text in lower case, holes as
    /// the references they stand for ([`ANONYMOUS_HOLE`] for one that stands for none). Two
    /// values built the same way get the same key.
    pub fn key(&self) -> Option<String> {
        match &self.kind {
            ValueKind::String(s) => Some(s.to_ascii_lowercase()),
            ValueKind::Number(n) => Some(format_number(*n)),
            ValueKind::Template(parts) => Some(
                parts
                    .iter()
                    .map(|p| match p {
                        Part::Text(t) => t.to_ascii_lowercase(),
                        Part::Hole(v) => v.hole_key(),
                    })
                    .collect(),
            ),
            ValueKind::Unknown(_) | ValueKind::Ref(_) => Some(self.hole_key()),
            _ => None,
        }
    }

    fn hole_key(&self) -> String {
        match &self.kind {
            ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Template(_) => {
                self.key().unwrap_or_default()
            }
            ValueKind::Unknown(refs) if !refs.is_empty() => {
                let texts: Vec<String> = refs
                    .iter()
                    .map(|r| r.text.to_ascii_lowercase().replace('/', "|"))
                    .collect();
                format!("{{{}}}", texts.join(","))
            }
            ValueKind::Ref(r) => format!("{{{}}}", r.text.to_ascii_lowercase().replace('/', "|")),
            _ => ANONYMOUS_HOLE.to_string(),
        }
    }
}

/// How deep [`Value::from_json`] and [`Value::to_json`] go: as deep as serde_json reads.
const MAX_JSON_DEPTH: usize = 128;

/// Marks an unknown part of JSON text, written on each side of the part's index: a character of
/// Unicode's private use area, which no JSON setting holds.
const JSON_HOLE: char = '\u{e000}';

impl Value {
    /// The value of JSON text, each of its parts placed at `span` with `origin`; `None` when the
    /// text is not JSON.
    pub fn from_json_text(text: &str, span: Span, origin: Option<Span>) -> Option<Value> {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(Value::from_json(&json, &[], span, origin))
    }

    /// The value of parsed JSON text, where a string that holds [`JSON_HOLE`] marks stands for
    /// the `holes` they name: a string that is one mark is that hole's value, and one with text
    /// around marks a template.
    fn from_json(
        json: &serde_json::Value,
        holes: &[&Value],
        span: Span,
        origin: Option<Span>,
    ) -> Value {
        use serde_json::Value as Json;
        let kind = match json {
            Json::Null => ValueKind::Null,
            Json::Bool(b) => ValueKind::Bool(*b),
            Json::Number(n) => n
                .as_f64()
                .map_or(ValueKind::Unknown(Vec::new()), ValueKind::Number),
            Json::String(s) if !holes.is_empty() && s.contains(JSON_HOLE) => {
                match split_at_holes(s, holes) {
                    Some(parts) => {
                        if let [Part::Hole(hole)] = parts.as_slice() {
                            return hole.used_at(span);
                        }
                        ValueKind::Template(parts)
                    }
                    None => ValueKind::Unknown(Vec::new()),
                }
            }
            Json::String(s) => ValueKind::String(s.clone()),
            Json::Array(items) => ValueKind::List(
                items
                    .iter()
                    .map(|item| Value::from_json(item, holes, span, origin))
                    .collect(),
            ),
            Json::Object(map) => ValueKind::Map(
                map.iter()
                    .map(|(key, value)| Entry {
                        key: match holes.is_empty() || !key.contains(JSON_HOLE) {
                            true => key.clone(),
                            false => marks_as_anonymous_holes(key),
                        },
                        span: None,
                        value: Value::from_json(value, holes, span, origin),
                    })
                    .collect(),
            ),
        };
        Value { kind, span, origin }
    }

    /// The value a string holds as the JSON text of an object or an array, as in a VM
    /// extension's `protected_settings` written in a heredoc or by `jsonencode`: its parts are
    /// placed where the string is. A template's unknown parts keep their values: inside the
    /// JSON's strings (`"${var.user}"`), and in place of a JSON value (`${var.port}`, or
    /// what [`Value::json_text`] wrote).
    pub fn json_decoded(&self) -> Option<Value> {
        let opens_json =
            |text: &str| matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['));
        // Told by the first character before any text is built: the rules ask this of every
        // string and template of every resource.
        match &self.kind {
            ValueKind::String(text) if opens_json(text) => {
                Value::from_json_text(text, self.span, self.origin)
            }
            ValueKind::Template(parts) if matches!(parts.first(), Some(Part::Text(text)) if opens_json(text)) =>
            {
                let mut marked = MarkedJson::default();
                marked.write(parts)?;
                let json: serde_json::Value = serde_json::from_str(&marked.text).ok()?;
                Some(Value::from_json(
                    &json,
                    &marked.holes,
                    self.span,
                    self.origin,
                ))
            }
            _ => None,
        }
    }

    /// The JSON of a fully known value (ARM's `string()` of an object); `None` for one with
    /// unknown parts, or nested deeper than [`MAX_JSON_DEPTH`].
    pub fn to_json(&self) -> Option<serde_json::Value> {
        self.to_json_below(0, None)
    }

    /// The JSON text of this value as `write` writes it, at `span` (Terraform's `jsonencode`,
    /// ARM's `string()` of an object): a string, or, when parts of the value are unknown, a
    /// template with those parts as holes where their JSON would be, which
    /// [`Value::json_decoded`] reads back. `None` past [`MAX_JSON_DEPTH`].
    pub fn json_text(
        &self,
        span: Span,
        write: impl FnOnce(&serde_json::Value) -> String,
    ) -> Option<Value> {
        let mut holes = Vec::new();
        let text = write(&self.to_json_below(0, Some(&mut holes))?);
        if holes.is_empty() {
            return Some(Value::string(text, span));
        }
        // Each hole was written as a string of its mark, which no other string holds: without
        // the quotes around the marks, the text splits as a decoded string with marks does.
        let mark = JSON_HOLE.to_string();
        let text = text
            .replace(&format!("\"{JSON_HOLE}"), &mark)
            .replace(&format!("{JSON_HOLE}\""), &mark);
        let parts = split_at_holes(&text, &holes)?;
        Some(Value::new(ValueKind::Template(parts), span))
    }

    /// The JSON of this value; its unknown parts are pushed to `holes` and written as strings
    /// of their marks when `holes` is given, and make it `None` otherwise.
    fn to_json_below<'a>(
        &'a self,
        depth: usize,
        mut holes: Option<&mut Vec<&'a Value>>,
    ) -> Option<serde_json::Value> {
        use serde_json::Value as Json;
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        Some(match &self.kind {
            ValueKind::Null => Json::Null,
            ValueKind::Bool(b) => Json::Bool(*b),
            // Whole numbers without a fraction, as Terraform and ARM write them, where an f64
            // holds every whole number (below 2^53).
            ValueKind::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Json::from(*n as i64),
            ValueKind::Number(n) => serde_json::Number::from_f64(*n).map(Json::Number)?,
            // A mark in a known string would read as a hole.
            ValueKind::String(s) if holes.is_some() && s.contains(JSON_HOLE) => return None,
            ValueKind::String(s) => Json::String(s.clone()),
            ValueKind::List(items) => Json::Array(
                items
                    .iter()
                    .map(|item| item.to_json_below(depth + 1, holes.as_deref_mut()))
                    .collect::<Option<_>>()?,
            ),
            ValueKind::Map(entries) => {
                let mut pairs = entries
                    .iter()
                    .map(|e| {
                        let value = e.value.to_json_below(depth + 1, holes.as_deref_mut())?;
                        Some((e.key.clone(), value))
                    })
                    .collect::<Option<Vec<_>>>()?;
                // Keys in order, whatever order serde_json's map keeps; the last of a key wins.
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                Json::Object(pairs.into_iter().collect())
            }
            ValueKind::Template(_) | ValueKind::Ref(_) | ValueKind::Unknown(_) => {
                let holes = holes?;
                holes.push(self);
                Json::String(hole_mark(holes.len() - 1))
            }
        })
    }
}

/// The text of a template that holds JSON, with each unknown part written as a [`JSON_HOLE`]
/// mark: inside a JSON string as it is, and in place of a JSON value as a string of it.
#[derive(Default)]
struct MarkedJson<'a> {
    text: String,
    holes: Vec<&'a Value>,
    in_string: bool,
    escaped: bool,
}

impl<'a> MarkedJson<'a> {
    /// Writes `parts`; `None` when their text holds a mark already.
    fn write(&mut self, parts: &'a [Part]) -> Option<()> {
        for part in parts {
            match part {
                Part::Text(text) if text.contains(JSON_HOLE) => return None,
                Part::Text(text) => self.write_text(text),
                Part::Hole(value) => match &value.kind {
                    ValueKind::String(text) if text.contains(JSON_HOLE) => return None,
                    ValueKind::String(text) => self.write_text(text),
                    // Its text goes where it is, as a template's text does.
                    ValueKind::Template(parts) if self.in_string => self.write(parts)?,
                    _ => {
                        let mark = hole_mark(self.holes.len());
                        match self.in_string {
                            true => self.text.push_str(&mark),
                            false => self.text.push_str(&format!("\"{mark}\"")),
                        }
                        self.holes.push(value);
                    }
                },
            }
        }
        Some(())
    }

    /// Writes text, following whether it ends inside a JSON string.
    fn write_text(&mut self, text: &str) {
        for byte in text.bytes() {
            match (self.in_string, self.escaped, byte) {
                (true, true, _) => self.escaped = false,
                (true, false, b'\\') => self.escaped = true,
                (_, false, b'"') => self.in_string = !self.in_string,
                _ => {}
            }
        }
        self.text.push_str(text);
    }
}

/// The mark of the hole at `index`, which [`split_at_holes`] reads.
fn hole_mark(index: usize) -> String {
    format!("{JSON_HOLE}{index}{JSON_HOLE}")
}

/// The parts of a decoded JSON string that holds [`JSON_HOLE`] marks; `None` when a mark names
/// no hole. A hole in place of a whole object or array (which Terraform would not write into
/// text) stands for an unknown value.
fn split_at_holes(text: &str, holes: &[&Value]) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut pieces = text.split(JSON_HOLE);
    if let Some(first) = pieces.next().filter(|t| !t.is_empty()) {
        parts.push(Part::Text(first.to_string()));
    }
    while let Some(index) = pieces.next() {
        let hole = holes.get(index.parse::<usize>().ok()?)?;
        let value = match hole.kind {
            ValueKind::Map(_) | ValueKind::List(_) => Value::unknown(hole.span),
            _ => (*hole).clone(),
        };
        parts.push(Part::Hole(Box::new(value)));
        match pieces.next() {
            Some(text) if !text.is_empty() => parts.push(Part::Text(text.to_string())),
            Some(_) => {}
            None => return None,
        }
    }
    Some(parts)
}

/// A JSON key with marks: each hole as [`ANONYMOUS_HOLE`].
fn marks_as_anonymous_holes(key: &str) -> String {
    key.split(JSON_HOLE)
        .enumerate()
        .map(|(i, piece)| if i % 2 == 1 { ANONYMOUS_HOLE } else { piece })
        .collect()
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    /// What `last_of_each_key` replaces: each entry removes the kept ones of its key.
    fn searched(entries: &[Entry], ignore_ascii_case: bool) -> Vec<Entry> {
        let mut kept: Vec<Entry> = Vec::new();
        for entry in entries {
            kept.retain(|e| match ignore_ascii_case {
                true => !e.key.eq_ignore_ascii_case(&entry.key),
                false => e.key != entry.key,
            });
            kept.push(entry.clone());
        }
        kept
    }

    #[test]
    fn json_text_with_unknown_parts_is_read_around_them() {
        let span = Span::new(FileId(0), 0..1);
        let template = |parts: Vec<Part>| Value::new(ValueKind::Template(parts), span);
        let hole = || Part::Hole(Box::new(Value::unknown(span)));
        let text = |t: &str| Part::Text(t.into());
        let settings = template(vec![
            text(r#"{"user": "corp\\"#),
            hole(),
            text(r#"", "password": "x", "port": 1}"#),
        ]);
        let decoded = settings
            .json_decoded()
            .expect("JSON around a hole in a string");
        assert!(!decoded.get("user").unwrap().is_known());
        assert_eq!(decoded.get("password").and_then(Value::as_str), Some("x"));
        assert_eq!(
            decoded.get("port").map(|v| &v.kind),
            Some(&ValueKind::Number(1.0))
        );
        // A hole in place of a JSON value is that value; a hole inside a string makes a
        // template of it.
        let number = Value::new(ValueKind::Number(3.0), span);
        let counts = template(vec![
            text(r#"{"count": "#),
            hole(),
            text(r#", "known": "#),
            Part::Hole(Box::new(number)),
            text(r#", "conn": "Key=\\"#),
            hole(),
            text(r#";"}"#),
        ]);
        let decoded = counts.json_decoded().expect("JSON around holes for values");
        assert!(matches!(
            decoded.get("count").unwrap().kind,
            ValueKind::Unknown(_)
        ));
        assert_eq!(
            decoded.get("known").map(|v| &v.kind),
            Some(&ValueKind::Number(3.0))
        );
        let conn = decoded.get("conn").unwrap();
        assert_eq!(conn.text_with_holes("?").as_deref(), Some(r#"Key=\?;"#));
        // A mark written in the text, and text that is not JSON, are not read.
        let marked = template(vec![
            text("{\"a\": \"\u{e000}0\u{e000}\", \"b\": "),
            hole(),
            text("}"),
        ]);
        assert!(marked.json_decoded().is_none());
        assert!(Value::string("{not json", span).json_decoded().is_none());
        assert!(Value::string("[x]", span).json_decoded().is_none());
    }

    #[test]
    fn last_of_each_key_keeps_the_last_entry_of_each_key_at_its_place() {
        let span = Span::new(FileId(0), 0..1);
        // Keys from a small alphabet in both cases, so that sequences short and long repeat
        // them: the pairwise path (up to 16 entries) and the table.
        let mut state = 7u32;
        for len in [0, 1, 2, 5, 16, 17, 40, 300] {
            let entries: Vec<Entry> = (0..len)
                .map(|i| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    let letter = (b'a' + (state >> 16) as u8 % 6) as char;
                    let key = match (state >> 24) % 2 {
                        0 => letter.to_string(),
                        _ => letter.to_ascii_uppercase().to_string(),
                    };
                    Entry {
                        key: format!("{key}{}", (state >> 20) % 3),
                        span: None,
                        value: Value::string(i.to_string(), span),
                    }
                })
                .collect();
            for ignore_ascii_case in [false, true] {
                assert_eq!(
                    last_of_each_key(entries.clone(), ignore_ascii_case),
                    searched(&entries, ignore_ascii_case),
                    "{len} entries, ignore_ascii_case {ignore_ascii_case}"
                );
            }
        }
    }
}
