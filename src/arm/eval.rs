//! Evaluation of template values and expressions into model values. Whatever cannot be known
//! before deployment becomes a hole or an unknown that carries the references it depends on.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use foldhash::HashMap;

use super::expr::{self, Expr, Function, StringForm};
use super::parse::{Json, JsonKind, Level, Member};
use crate::model::value::{pairwise_units, replaced_units, text_units};
use crate::model::{Entry, Part, Ref, ResourceId, SizeBudget, Value, ValueKind, last_of_each_key};
use crate::span::{FileId, Span};

/// Nested evaluation (expressions, JSON levels, variables calling variables) deeper than this
/// yields unknown values instead of exhausting the stack.
const MAX_EVAL_DEPTH: u32 = 400;
/// The widest `padLeft` computed; ARM's own limit is 16,000 characters.
const MAX_PAD_WIDTH: f64 = 16_000.0;
/// ARM's own limit on copy loops.
pub const MAX_COPY: i64 = 800;
/// Lambda and user-defined function bodies one template may evaluate: `map` within `map` over
/// long arrays, or a function that calls another twice, many levels deep, must not run for
/// minutes. Past this, their calls yield unknown values.
const MAX_LAMBDA_CALLS: u32 = 10_000;
/// Elements of property and variable copy loops one template may make: loops within loops
/// (800 within 800 within 800) multiply. Past this, a loop has one element of unknown index.
const MAX_COPY_ELEMENTS: usize = 100_000;
/// Past this many bytes of copy-loop inputs made into elements in one template, a copy loop
/// makes one element of unknown index: 800 copies of an input of 1 MB took 1.7 GB. The corpus's
/// most is 100 kB.
const MAX_COPY_BYTES: u64 = 64 << 20;

/// One template: the root template or an inline nested deployment's template.
pub struct Scope<'a> {
    pub file: FileId,
    pub template: &'a Json<'a>,
    pub level: Level,
    pub params: HashMap<String, &'a Member<'a>>,
    /// Values supplied from outside: parameter files, or an inner-scoped deployment's
    /// `parameters` (evaluated lazily in the outer scope).
    pub supplied: HashMap<String, Supplied<'a>>,
    pub vars: HashMap<String, VarDef<'a>>,
    /// An `outer`-scoped nested template reads parameters and variables from this scope.
    pub names_from: Option<usize>,
    pub subscription: Value,
    pub resource_group: Value,
    pub management_group: Value,
    /// Symbolic names of resources (languageVersion 2.0), lower case.
    pub symbols: HashMap<String, ResourceId>,
    /// The deployments that lead here, outermost first.
    pub call_path: Vec<Span>,
    // Shared so that `variables('big').a.b` walks the cached value instead of copying it whole.
    param_cache: RefCell<HashMap<String, Cached>>,
    var_cache: RefCell<HashMap<String, Cached>>,
    output_cache: RefCell<HashMap<String, Option<Rc<Value>>>>,
    /// The template's outputs by lower-case name, built on the first lookup: a search of the
    /// `outputs` object for each output took time in the square of their number.
    outputs: OnceCell<HashMap<String, &'a Json<'a>>>,
}

/// A cached value (`None` while it is being computed) and whether computing it looked up
/// declared resources, which are complete only once every declaration is read.
struct Cached {
    value: Option<Rc<Value>>,
    reads_declarations: bool,
}

pub enum Supplied<'a> {
    Value(Value),
    /// An expression of the outer template, evaluated there.
    Outer(Env, &'a Json<'a>),
}

pub enum VarDef<'a> {
    Json(&'a Json<'a>),
    /// An element of `variables.copy`.
    Copy(&'a Json<'a>),
}

impl<'a> Scope<'a> {
    pub fn new(file: FileId, template: &'a Json, level: Level) -> Scope<'a> {
        let mut params = HashMap::default();
        for member in template.get("parameters").map(Json::members).unwrap_or(&[]) {
            params.insert(member.key.to_ascii_lowercase(), member);
        }
        let mut vars = HashMap::default();
        for member in template.get("variables").map(Json::members).unwrap_or(&[]) {
            if member.key.eq_ignore_ascii_case("copy") {
                for element in member.value.elements() {
                    if let Some(name) = element.get("name").and_then(Json::as_str) {
                        vars.insert(name.to_ascii_lowercase(), VarDef::Copy(element));
                    }
                }
            } else {
                vars.insert(member.key.to_ascii_lowercase(), VarDef::Json(&member.value));
            }
        }
        let at = template.span;
        Scope {
            file,
            template,
            level,
            params,
            supplied: HashMap::default(),
            vars,
            names_from: None,
            subscription: hole("subscription().subscriptionId", at),
            resource_group: hole("resourceGroup().name", at),
            management_group: hole("managementGroup().name", at),
            symbols: HashMap::default(),
            call_path: Vec::new(),
            param_cache: RefCell::default(),
            var_cache: RefCell::default(),
            output_cache: RefCell::default(),
            outputs: OnceCell::new(),
        }
    }

    /// Values from a parameter file, by parameter name in any case.
    pub fn supply(&mut self, values: impl IntoIterator<Item = (String, Value)>) {
        for (name, value) in values {
            let value = Supplied::Value(value);
            self.supplied.insert(name.to_ascii_lowercase(), value);
        }
    }

    /// The output declared as `key` (lower case) in any case (the last of two that differ only
    /// in case).
    fn output_json(&self, key: &str) -> Option<&'a Json<'a>> {
        let outputs = self.outputs.get_or_init(|| {
            let declared = self.template.get("outputs").map_or(&[][..], Json::members);
            declared
                .iter()
                .map(|m| (m.key.to_ascii_lowercase(), &m.value))
                .collect()
        });
        outputs.get(key).copied()
    }

    /// Forgets the values that looked up declared resources. (Outputs are reached only through
    /// a lookup.)
    pub fn forget_declaration_reads(&self) {
        self.param_cache
            .borrow_mut()
            .retain(|_, c| !c.reads_declarations);
        self.var_cache
            .borrow_mut()
            .retain(|_, c| !c.reads_declarations);
        self.output_cache.borrow_mut().clear();
    }
}

/// Where an expression is evaluated: the scope, the copy loops and the lambdas around it.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub scope: usize,
    /// `(loop name in lower case, index, is a resource loop)`; index `None` when the count is
    /// unknown.
    pub loops: Vec<(String, Option<i64>, bool)>,
    /// The `lambdaVariables` in reach, innermost last.
    lambda_variables: Vec<(String, Rc<Value>)>,
    /// Inside a user-defined function: its parameters by lower-case name, which `parameters()`
    /// names there instead of the template's.
    function_arguments: Option<Rc<FunctionArguments>>,
}

/// A user-defined function's arguments by the lower-case names of its parameters.
type FunctionArguments = Vec<(String, Rc<Value>)>;

impl Env {
    pub fn new(scope: usize) -> Env {
        Env {
            scope,
            ..Env::default()
        }
    }

    pub fn with_loop(&self, name: &str, index: Option<i64>, resource: bool) -> Env {
        let mut env = self.clone();
        env.loops.push((name.to_ascii_lowercase(), index, resource));
        env
    }
}

/// A declared resource as the evaluator needs to know it.
#[derive(Debug, Clone)]
pub struct Declared {
    pub type_lower: String,
    pub name_key: Option<String>,
    pub scope: usize,
}

/// The declared resources by type and name, for mapping ids back to resources.
#[derive(Default)]
pub struct Index {
    pub resources: Vec<Declared>,
    pub by_key: HashMap<(String, String), ResourceId>,
    pub by_name: HashMap<String, Vec<ResourceId>>,
    /// Nested deployments and the scope of their inline template.
    pub nested: HashMap<ResourceId, usize>,
}

impl Index {
    pub fn add(&mut self, declared: Declared) -> ResourceId {
        let id = self.resources.len();
        if let Some(key) = declared.name_key.as_ref().filter(|k| usable_key(k)) {
            self.by_key
                .entry((declared.type_lower.clone(), key.clone()))
                .or_insert(id);
            self.by_name.entry(key.clone()).or_default().push(id);
        }
        self.resources.push(declared);
        id
    }

    pub fn lookup(&self, type_lower: &str, name_key: &str) -> Option<ResourceId> {
        if !usable_key(name_key) {
            return None;
        }
        self.by_key
            .get(&(type_lower.to_string(), name_key.to_string()))
            .copied()
    }

    pub fn type_of(&self, id: ResourceId) -> &str {
        self.resources.get(id).map_or("", |d| d.type_lower.as_str())
    }
}

fn usable_key(key: &str) -> bool {
    !key.is_empty() && !key.contains("{?}")
}

/// The value of `name` (case-insensitive) in `cache`, computed by `compute` from the lower-case
/// name on first use. `None` while it is being computed: a name whose value refers to itself.
/// `reads_declarations` is the evaluator's flag: it is set when this value, or a value it
/// uses, looked up declared resources.
fn cached(
    cache: &RefCell<HashMap<String, Cached>>,
    reads_declarations: &Cell<bool>,
    name: &str,
    compute: impl FnOnce(&str) -> Value,
) -> Option<Rc<Value>> {
    let key = Lowercase::of(name);
    if let Some(cached) = cache.borrow().get(key.as_str()) {
        reads_declarations.set(reads_declarations.get() || cached.reads_declarations);
        return cached.value.clone();
    }
    let key = key.as_str().to_string();
    let in_progress = Cached {
        value: None,
        reads_declarations: false,
    };
    cache.borrow_mut().insert(key.clone(), in_progress);
    let outer_reads = reads_declarations.replace(false);
    let value = Rc::new(compute(&key));
    let reads = reads_declarations.get();
    reads_declarations.set(outer_reads || reads);
    let done = Cached {
        value: Some(Rc::clone(&value)),
        reads_declarations: reads,
    };
    cache.borrow_mut().insert(key, done);
    Some(value)
}

/// A name in ASCII lower case, borrowed when it is already, else kept on the stack when short:
/// function, parameter and variable names are looked up case-insensitively at every use.
enum Lowercase<'t> {
    Unchanged(&'t str),
    Short([u8; 48], usize),
    Long(String),
}

impl<'t> Lowercase<'t> {
    fn of(text: &'t str) -> Lowercase<'t> {
        if !text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Lowercase::Unchanged(text);
        }
        let mut short = [0; 48];
        match short.get_mut(..text.len()) {
            Some(bytes) => {
                bytes.copy_from_slice(text.as_bytes());
                bytes.make_ascii_lowercase();
                Lowercase::Short(short, text.len())
            }
            None => Lowercase::Long(text.to_ascii_lowercase()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Lowercase::Unchanged(text) => text,
            Lowercase::Short(bytes, len) => {
                std::str::from_utf8(&bytes[..*len]).expect("ASCII lower-casing keeps UTF-8 valid")
            }
            Lowercase::Long(text) => text,
        }
    }
}

pub struct Evaluator<'a> {
    pub scopes: Vec<Scope<'a>>,
    pub index: Index,
    depth: Cell<u32>,
    /// Set by every lookup of declared resources; see [`cached`].
    reads_declarations: Cell<bool>,
    /// Values of JSON nodes already evaluated, by the node's address; see
    /// [`Evaluator::know_supplied`].
    known: RefCell<HashMap<usize, Rc<Value>>>,
    /// Expressions by their text, parsed once: templates repeat the same expressions (AVM ones
    /// `[parameters('location')]` thousands of times). `None` for text that does not parse.
    parsed: RefCell<HashMap<Box<str>, Option<Rc<Expr>>>>,
    /// Lambda bodies evaluated so far; see [`MAX_LAMBDA_CALLS`].
    lambda_calls: Cell<u32>,
    /// How many more copy-loop elements this template may make; see [`MAX_COPY_ELEMENTS`].
    copy_elements_left: Cell<usize>,
    /// How many more bytes of inputs copy loops may make into elements; see [`MAX_COPY_BYTES`].
    copy_bytes_left: Cell<u64>,
    /// What this evaluation may still copy out of named values.
    budget: SizeBudget,
}

fn address(json: &Json) -> usize {
    std::ptr::from_ref(json) as usize
}

/// An unknown value standing for something only the deployment knows, named by `text`.
pub fn hole(text: &str, span: Span) -> Value {
    Value::new(
        ValueKind::Unknown(vec![Ref {
            resource: None,
            text: text.into(),
            attribute: Arc::default(),
            secret: false,
        }]),
        span,
    )
}

/// An unknown value that depends on whatever `values` depend on.
pub fn unknown_of<'v>(values: impl IntoIterator<Item = &'v Value>, span: Span) -> Value {
    let mut refs: Vec<Ref> = Vec::new();
    for value in values {
        value.for_each_ref(&mut |r| {
            if !refs.contains(r) {
                refs.push(r.clone());
            }
        });
    }
    Value::new(ValueKind::Unknown(refs), span)
}

/// Functions whose result names, counts or compares things: never a credential, whatever it was
/// computed from (`resourceId(..., parameters('secrets')[0].name)`, `length(listKeys(...))`).
pub const NAMING_FUNCTIONS: [&str; 22] = [
    "resourceid",
    "subscriptionresourceid",
    "tenantresourceid",
    "extensionresourceid",
    "managementgroupresourceid",
    "uniquestring",
    "guid",
    "length",
    "empty",
    "contains",
    "equals",
    "not",
    "and",
    "or",
    "greater",
    "greaterorequals",
    "less",
    "lessorequals",
    "startswith",
    "endswith",
    "indexof",
    "lastindexof",
];

/// Functions that only look at their arguments: for them a parameter's or variable's value is
/// read where it is cached instead of copied.
const INSPECTING_FUNCTIONS: [&str; 7] =
    ["empty", "length", "contains", "equals", "not", "and", "or"];

/// `objects` merged at the top level, a later key (in any case) replacing an earlier one.
fn merged_objects(objects: &[Value], at: Span) -> Value {
    let entries = objects.iter().flat_map(|o| o.entries().iter().cloned());
    Value::new(
        ValueKind::Map(last_of_each_key(entries.collect(), true)),
        at,
    )
}

/// `value` with every reference it depends on marked not secret.
fn declassify(mut value: Value) -> Value {
    fn clear(value: &mut Value, depth: usize) {
        if depth > 64 {
            return;
        }
        match &mut value.kind {
            ValueKind::Ref(r) => r.secret = false,
            ValueKind::Unknown(refs) => refs.iter_mut().for_each(|r| r.secret = false),
            ValueKind::List(items) => items.iter_mut().for_each(|v| clear(v, depth + 1)),
            ValueKind::Map(entries) => entries
                .iter_mut()
                .for_each(|e| clear(&mut e.value, depth + 1)),
            ValueKind::Template(parts) => parts.iter_mut().for_each(|p| {
                if let Part::Hole(v) = p {
                    clear(v, depth + 1)
                }
            }),
            _ => {}
        }
    }
    clear(&mut value, 0);
    value
}

/// Builds strings from known text and holes.
#[derive(Default)]
pub struct TextBuilder {
    parts: Vec<Part>,
}

impl TextBuilder {
    pub fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Part::Text(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else {
            self.parts.push(Part::Text(text.to_string()));
        }
    }

    pub fn value(&mut self, value: &Value) {
        match &value.kind {
            ValueKind::Template(parts) => {
                for part in parts {
                    match part {
                        Part::Text(t) => self.text(t),
                        Part::Hole(v) => self.parts.push(Part::Hole(v.clone())),
                    }
                }
            }
            ValueKind::String(text) => self.text(text),
            _ => match value.to_text() {
                Some(text) => self.text(&text),
                None => self.parts.push(Part::Hole(Box::new(value.clone()))),
            },
        }
    }

    pub fn finish(mut self, span: Span) -> Value {
        let kind = match self.parts.as_mut_slice() {
            [] => ValueKind::String(String::new()),
            [Part::Text(t)] => ValueKind::String(std::mem::take(t)),
            _ => ValueKind::Template(self.parts),
        };
        Value::new(kind, span)
    }
}

/// ARM's `uri(base, relative)`: `relative` resolved against the directory of `base`. The
/// directory of a base that is not known is a hole, so that `uri(parameters('_artifactsLocation'),
/// 'nested/vm.json')` keeps its known relative part.
fn uri(base: &Value, relative: &Value, at: Span) -> Value {
    if relative.as_str().is_some_and(|r| r.contains("://")) {
        return relative.clone().moved_to(at);
    }
    let mut b = TextBuilder::default();
    match base.as_str() {
        Some(base) => {
            let path_start = base.find("://").map_or(0, |i| i + 3);
            let path = &base[path_start..];
            // A rooted relative keeps the authority; any other keeps the folder.
            let rooted = relative.as_str().is_some_and(|r| r.starts_with('/'));
            let kept = if rooted {
                path.find('/')
            } else {
                path.rfind('/').map(|i| i + 1)
            };
            b.text(&base[..path_start + kept.unwrap_or(path.len())]);
            if kept.is_none() && !rooted {
                b.text("/");
            }
        }
        None => b.value(&unknown_of([base], at)),
    }
    b.value(relative);
    b.finish(at)
}

/// The `(type, name key)` a resource id names: the part after its last `/providers/`, or a
/// relative id `Microsoft.X/y/name` as Bicep writes extension scopes.
pub fn split_id(key: &str) -> Option<(String, String)> {
    let rest = match key.rfind("/providers/") {
        Some(at) => &key[at + "/providers/".len()..],
        None if !key.starts_with('/') => key,
        None => return None,
    };
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    if segments.len() < 3 || segments.len().is_multiple_of(2) || !segments[0].contains('.') {
        return None;
    }
    let mut types = vec![segments[0]];
    let mut names = Vec::new();
    for pair in segments[1..].chunks(2) {
        types.push(pair[0]);
        names.push(pair[1]);
    }
    Some((types.join("/"), names.join("/")))
}

fn is_type_text(text: &str) -> bool {
    let mut segments = text.split('/');
    segments.next().is_some_and(|ns| ns.contains('.')) && segments.next().is_some()
}

/// `lambda('a', 'b', body)` as written in an argument.
struct Lambda<'e> {
    parameters: Vec<&'e str>,
    body: &'e Expr,
}

impl<'e> Lambda<'e> {
    fn of(e: &'e Expr) -> Option<Lambda<'e>> {
        let Expr::Call(name, args) = e else {
            return None;
        };
        if name.lower != "lambda" {
            return None;
        }
        let (body, names) = args.split_last()?;
        let parameters = names
            .iter()
            .map(|n| match n {
                Expr::Str(name) => Some(name.as_str()),
                _ => None,
            })
            .collect::<Option<Vec<&str>>>()?;
        Some(Lambda { parameters, body })
    }
}

/// The value an expression starts from: shared from a cache, or made for this use.
enum Base {
    Shared(Rc<Value>),
    Owned(Value),
}

impl Base {
    fn value(&self) -> &Value {
        match self {
            Base::Shared(value) => value,
            Base::Owned(value) => value,
        }
    }
}

/// One step after a value: `.name` or `[index]`.
enum Step<'e> {
    Prop(&'e str),
    Index(&'e Expr),
}

impl<'a> Evaluator<'a> {
    pub fn new(scopes: Vec<Scope<'a>>) -> Evaluator<'a> {
        Evaluator {
            scopes,
            index: Index::default(),
            depth: Cell::new(0),
            reads_declarations: Cell::new(false),
            known: RefCell::default(),
            parsed: RefCell::default(),
            lambda_calls: Cell::new(0),
            copy_elements_left: Cell::new(MAX_COPY_ELEMENTS),
            copy_bytes_left: Cell::new(MAX_COPY_BYTES),
            budget: SizeBudget::default(),
        }
    }

    fn enter(&self) -> bool {
        let depth = self.depth.get() + 1;
        self.depth.set(depth);
        depth <= MAX_EVAL_DEPTH
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    /// Forgets the cached values that looked up declared resources: they were computed while
    /// the declarations were incomplete.
    pub fn forget_declaration_reads(&self) {
        self.scopes.iter().for_each(Scope::forget_declaration_reads);
    }

    fn scope(&self, index: usize) -> &Scope<'a> {
        &self.scopes[index.min(self.scopes.len() - 1)]
    }

    /// The scope whose parameters and variables `scope` reads.
    fn names_scope(&self, mut scope: usize) -> usize {
        for _ in 0..self.scopes.len() {
            match self.scope(scope).names_from {
                Some(outer) => scope = outer,
                None => break,
            }
        }
        scope
    }

    /// Until [`Evaluator::forget_known`], [`Evaluator::json`] copies the values that the
    /// deployment's `parameters` object hands the inline template of scope `scope`, as that
    /// scope evaluated them, instead of evaluating them again for the deployment's body.
    pub fn know_supplied(&self, scope: usize, parameters: &Json) {
        let mut known = Vec::new();
        for member in parameters.members() {
            let key = member.key.to_ascii_lowercase();
            let Some(Supplied::Outer(_, json)) = self.scope(scope).supplied.get(&key) else {
                continue;
            };
            // The last of two members that differ only in case is the one the template sees.
            if member
                .value
                .get("value")
                .is_some_and(|v| std::ptr::eq(v, *json))
                && let Some(value) = self.parameter_shared(scope, &key, json.span)
            {
                known.push((address(json), value));
            }
        }
        self.known.borrow_mut().extend(known);
    }

    pub fn forget_known(&self) {
        self.known.borrow_mut().clear();
    }

    /// A JSON value as a model value, evaluating expression strings.
    pub fn json(&self, env: &Env, json: &Json) -> Value {
        // Empty outside a deployment's `properties`: then no node's address is hashed.
        let known = self.known.borrow();
        if !known.is_empty()
            && let Some(value) = known.get(&address(json))
        {
            return Value::clone(value);
        }
        drop(known);
        if !self.enter() {
            self.leave();
            return Value::unknown(json.span);
        }
        let value = match &json.kind {
            JsonKind::Null => Value::new(ValueKind::Null, json.span),
            JsonKind::Bool(b) => Value::new(ValueKind::Bool(*b), json.span),
            JsonKind::Number(n) => Value::new(ValueKind::Number(*n), json.span),
            JsonKind::String(s) => self.string(env, s, json.span),
            JsonKind::Array(items) => Value::new(
                ValueKind::List(items.iter().map(|i| self.json(env, i)).collect()),
                json.span,
            ),
            JsonKind::Object(_) => self.object(env, json, &|_| false),
        };
        self.leave();
        value
    }

    /// An object, leaving out the members `skip` names, expanding property `copy` arrays.
    pub fn object(&self, env: &Env, json: &Json, skip: &dyn Fn(&str) -> bool) -> Value {
        let mut entries = Vec::with_capacity(json.members().len());
        for member in json.members() {
            if skip(&member.key) {
                continue;
            }
            if member.key.eq_ignore_ascii_case("copy")
                && let JsonKind::Array(loops) = &member.value.kind
                && !loops.is_empty()
                && loops
                    .iter()
                    .all(|l| l.get("name").is_some() && l.get("input").is_some())
            {
                for property in loops {
                    let name = property
                        .get("name")
                        .map(|n| self.json(env, n))
                        .and_then(|n| n.to_text())
                        .unwrap_or_default();
                    let value = self.copy_list(env, property, &name);
                    entries.push(Entry {
                        key: name,
                        span: Some(property.span),
                        value,
                    });
                }
                continue;
            }
            let key = match expr::classify(&member.key) {
                StringForm::Expression(_) => self
                    .string(env, &member.key, member.key_span)
                    .to_text()
                    .unwrap_or_else(|| member.key.to_string()),
                StringForm::Escaped(text) => text.to_string(),
                StringForm::Literal(text) => text.to_string(),
            };
            entries.push(Entry {
                key,
                span: Some(member.span),
                value: self.json(env, &member.value),
            });
        }
        Value::new(ValueKind::Map(entries), json.span)
    }

    /// The list a `copy` element (`{name, count, input}`) produces.
    fn copy_list(&self, env: &Env, copy: &Json, name: &str) -> Value {
        let count = copy.get("count").map(|c| self.json(env, c));
        let input = copy.get("input");
        let left = self.copy_elements_left.get();
        let bytes_left = self.copy_bytes_left.get();
        let bytes = input.map_or(0, |i| i.span.len() as u64);
        let items = match (count.as_ref().and_then(known_count), input) {
            (_, None) => Vec::new(),
            (Some(n), Some(input)) if n as usize <= left && n as u64 * bytes <= bytes_left => {
                self.copy_elements_left.set(left - n as usize);
                self.copy_bytes_left.set(bytes_left - n as u64 * bytes);
                (0..n)
                    .map(|i| self.json(&env.with_loop(name, Some(i), false), input))
                    .collect()
            }
            (_, Some(input)) => vec![self.json(&env.with_loop(name, None, false), input)],
        };
        Value::new(ValueKind::List(items), copy.span)
    }

    /// A JSON string: an expression, an escaped `[[`, or a literal.
    pub fn string(&self, env: &Env, text: &str, at: Span) -> Value {
        match expr::classify(text) {
            StringForm::Literal(t) => Value::string(t, at),
            StringForm::Escaped(t) => Value::string(t, at),
            StringForm::Expression(source) => match self.parse(source) {
                Some(e) => self.expr(env, &e, at),
                None => Value::unknown(at),
            },
        }
    }

    /// The expression `source` is the text of, parsed on first use.
    pub fn parse(&self, source: &str) -> Option<Rc<Expr>> {
        if let Some(parsed) = self.parsed.borrow().get(source) {
            return parsed.clone();
        }
        let parsed = expr::parse(source).ok().map(Rc::new);
        self.parsed
            .borrow_mut()
            .insert(source.into(), parsed.clone());
        parsed
    }

    /// Evaluates an expression; every value it yields is placed at `at`.
    pub fn expr(&self, env: &Env, e: &Expr, at: Span) -> Value {
        if !self.enter() {
            self.leave();
            return Value::unknown(at);
        }
        let value = self.expr_inner(env, e, at);
        self.leave();
        value
    }

    fn expr_inner(&self, env: &Env, e: &Expr, at: Span) -> Value {
        match e {
            Expr::Str(s) => Value::string(s.clone(), at),
            Expr::Num(n) => Value::new(ValueKind::Number(*n), at),
            Expr::Bool(b) => Value::new(ValueKind::Bool(*b), at),
            Expr::Null => Value::new(ValueKind::Null, at),
            Expr::Call(name, args) => self.call(env, e, name, args, &[], at),
            Expr::Prop(..) | Expr::Index(..) => {
                let mut steps = Vec::new();
                let mut base = e;
                loop {
                    match base {
                        Expr::Prop(inner, name) => {
                            steps.push(Step::Prop(name));
                            base = inner;
                        }
                        Expr::Index(inner, index) => {
                            steps.push(Step::Index(index));
                            base = inner;
                        }
                        _ => break,
                    }
                }
                steps.reverse();
                if let Expr::Call(name, args) = base
                    && (name.lower == "reference" || name.lower.starts_with("list"))
                {
                    return self.call(env, e, name, args, &steps, at);
                }
                match self.base_value(env, base, at) {
                    Base::Shared(shared) => self.walk(env, &shared, &steps, at),
                    Base::Owned(mut value) => {
                        for step in &steps {
                            value = self.step(env, &value, step, at);
                        }
                        value
                    }
                }
            }
        }
    }

    /// What `self.expr(env, base, at)` yields, without copying a parameter's or variable's
    /// cached value when steps follow.
    fn base_value(&self, env: &Env, base: &Expr, at: Span) -> Base {
        if !self.enter() {
            self.leave();
            return Base::Owned(Value::unknown(at));
        }
        let value = match base {
            Expr::Call(name, args) if name.lower == "parameters" || name.lower == "variables" => {
                match self.name_argument(env, args, at) {
                    Ok(n) => {
                        let shared = if name.lower == "parameters" {
                            self.parameter_in(env, &n, at)
                        } else {
                            self.variable_shared(env.scope, &n, at)
                        };
                        shared.map_or_else(|| Base::Owned(Value::unknown(at)), Base::Shared)
                    }
                    Err(unknown) => Base::Owned(unknown),
                }
            }
            _ => Base::Owned(self.expr_inner(env, base, at)),
        };
        self.leave();
        value
    }

    /// Applies `steps` to `value` as [`Evaluator::step`] would to `value.used_at(at)`, copying
    /// only the part the steps end at.
    fn walk(&self, env: &Env, value: &Value, steps: &[Step], at: Span) -> Value {
        let mut current = value;
        for (i, step) in steps.iter().enumerate() {
            match self.step_in(env, current, step, at) {
                Ok(next) => current = next,
                Err(mut value) => {
                    for step in &steps[i + 1..] {
                        value = self.step(env, &value, step, at);
                    }
                    return value;
                }
            }
        }
        self.budget.used_at(current, at)
    }

    /// One step into `value` by reference, or the value the step makes when it leaves `value`.
    fn step_in<'v>(
        &self,
        env: &Env,
        value: &'v Value,
        step: &Step,
        at: Span,
    ) -> Result<&'v Value, Value> {
        let member_in = |value: &'v Value, name: &str| match &value.kind {
            ValueKind::Map(_) => value.get(name).ok_or_else(|| unknown_of([value], at)),
            ValueKind::Ref(r) => Err(extend_ref(r, &format!(".{name}"), at)),
            _ => Err(unknown_of([value], at)),
        };
        match step {
            Step::Prop(name) => member_in(value, name),
            Step::Index(index) => {
                let index = self.expr(env, index, at);
                match (&value.kind, &index.kind) {
                    (ValueKind::List(items), ValueKind::Number(n)) => items
                        .get(*n as usize)
                        .filter(|_| *n >= 0.0)
                        .ok_or_else(|| unknown_of([value], at)),
                    (ValueKind::Map(_), ValueKind::String(key)) => member_in(value, key),
                    (ValueKind::Ref(r), _) => {
                        let text = index.to_text().unwrap_or_else(|| "*".into());
                        Err(extend_ref(r, &format!("[{text}]"), at))
                    }
                    _ => Err(unknown_of([value, &index], at)),
                }
            }
        }
    }

    fn step(&self, env: &Env, value: &Value, step: &Step, at: Span) -> Value {
        match step {
            Step::Prop(name) => member(value, name, at),
            Step::Index(index) => {
                let index = self.expr(env, index, at);
                match (&value.kind, &index.kind) {
                    (ValueKind::List(items), ValueKind::Number(n)) => {
                        match items.get(*n as usize).filter(|_| *n >= 0.0) {
                            Some(item) => item.used_at(at),
                            None => unknown_of([value], at),
                        }
                    }
                    (ValueKind::Map(_), ValueKind::String(key)) => member(value, key, at),
                    (ValueKind::Ref(r), _) => {
                        let text = index.to_text().unwrap_or_else(|| "*".into());
                        extend_ref(r, &format!("[{text}]"), at)
                    }
                    _ => unknown_of([value, &index], at),
                }
            }
        }
    }

    fn args(&self, env: &Env, args: &[Expr], at: Span) -> Vec<Value> {
        args.iter().map(|a| self.expr(env, a, at)).collect()
    }

    fn call(
        &self,
        env: &Env,
        whole: &Expr,
        name: &Function,
        args: &[Expr],
        steps: &[Step],
        at: Span,
    ) -> Value {
        let lower = name.lower.as_str();
        match lower {
            "parameters" => match self.name_argument(env, args, at) {
                Ok(n) => self
                    .parameter_in(env, &n, at)
                    .map_or_else(|| Value::unknown(at), |v| self.budget.used_at(&v, at)),
                Err(unknown) => unknown,
            },
            "variables" => match self.name_argument(env, args, at) {
                Ok(n) => self.variable(env.scope, &n, at),
                Err(unknown) => unknown,
            },
            "copyindex" => self.copy_index(env, args, at),
            "if" => {
                let cond = args.first().map(|a| self.expr(env, a, at));
                match cond.as_ref().and_then(Value::as_bool) {
                    Some(true) => args
                        .get(1)
                        .map_or(Value::unknown(at), |a| self.expr(env, a, at)),
                    Some(false) => args
                        .get(2)
                        .map_or(Value::unknown(at), |a| self.expr(env, a, at)),
                    // The result is one of the branches, never the condition: what the
                    // condition reads (`empty(parameters('certificate'))`) stays a dependency
                    // but is not returned.
                    None => {
                        let mut all = self.args(env, args.get(1..).unwrap_or(&[]), at);
                        all.extend(cond.map(declassify));
                        unknown_of(&all, at)
                    }
                }
            }
            "reference" => self.reference(env, whole, args, steps, at),
            "lambdavariables" => match self.name_argument(env, args, at) {
                Ok(n) => env
                    .lambda_variables
                    .iter()
                    .rev()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&n))
                    .map_or_else(
                        || Value::unknown(at),
                        |(_, value)| self.budget.used_at(value, at),
                    ),
                Err(unknown) => unknown,
            },
            "map" | "filter" | "reduce" | "sort" | "toobject" | "mapvalues" | "groupby" => {
                self.lambda_function(env, lower, args, at)
            }
            _ if lower.contains('.') => self.user_function(env, lower, args, at),
            _ if lower.starts_with("list") => {
                self.list_function(env, whole, lower, args, steps, at)
            }
            // Also in NAMING_FUNCTIONS: a yes/no or a count reveals no secret.
            _ if INSPECTING_FUNCTIONS.contains(&lower) => {
                let bases: Vec<Base> = args.iter().map(|a| self.base_value(env, a, at)).collect();
                let values: Vec<&Value> = bases.iter().map(Base::value).collect();
                declassify(inspect(lower, &values, at))
            }
            _ => {
                let values = self.args(env, args, at);
                if self.budget.is_spent() {
                    return unknown_of(&values, at);
                }
                let value = self.function(env, whole, lower, values, at);
                self.budget.made(&value);
                if NAMING_FUNCTIONS.contains(&lower) {
                    declassify(value)
                } else {
                    value
                }
            }
        }
    }

    /// The name a `parameters(name)` or `variables(name)` call reads, or what the call yields
    /// when the name is not known.
    fn name_argument<'e>(
        &self,
        env: &Env,
        args: &'e [Expr],
        at: Span,
    ) -> Result<Cow<'e, str>, Value> {
        match args.first() {
            // As `self.expr` would yield it, short of the depth limit.
            Some(Expr::Str(name)) if self.depth.get() < MAX_EVAL_DEPTH => Ok(Cow::Borrowed(name)),
            Some(arg) => {
                let value = self.expr(env, arg, at);
                value
                    .to_text()
                    .map(Cow::Owned)
                    .ok_or_else(|| unknown_of([&value], at))
            }
            None => Err(Value::unknown(at)),
        }
    }

    /// `map`, `filter`, `reduce`, `sort`, `toObject`, `mapValues` and `groupBy`: the input
    /// comes first (then `reduce`'s initial value), the lambdas last.
    fn lambda_function(&self, env: &Env, name: &str, args: &[Expr], at: Span) -> Value {
        let first_lambda = args.iter().position(|a| Lambda::of(a).is_some());
        let (inputs, rest) = args.split_at(first_lambda.unwrap_or(args.len()));
        let lambdas: Vec<Lambda> = rest.iter().filter_map(Lambda::of).collect();
        let values = self.args(env, inputs, at);
        let (Some(input), Some(lambda)) = (values.first(), lambdas.first()) else {
            return unknown_of(&values, at);
        };
        let known = match (name, &input.kind) {
            ("reduce", ValueKind::List(items)) => match values.get(1) {
                Some(initial) => self.reduce(env, lambda, items, initial, at),
                None => None,
            },
            ("mapvalues", ValueKind::Map(entries)) => self.map_values(env, lambda, entries, at),
            (_, ValueKind::List(items)) => match name {
                "map" => self.map(env, lambda, items, at),
                "filter" => self.filter(env, lambda, items, at),
                "sort" => self.sort(env, lambda, items, at),
                "toobject" => self.to_object(env, lambda, lambdas.get(1), items, at),
                "groupby" => self.group_by(env, lambda, items, at),
                _ => None,
            },
            _ => None,
        };
        known.unwrap_or_else(|| {
            // What the lambdas yield for an element nobody knows keeps the references they
            // add, such as a `listKeys` in the body.
            let element = unknown_of(&values, at);
            let bodies: Vec<Value> = lambdas
                .iter()
                .filter_map(|lambda| {
                    let arguments = vec![element.clone(); lambda.parameters.len()];
                    self.apply(env, lambda, arguments, at)
                })
                .collect();
            unknown_of(values.iter().chain(&bodies), at)
        })
    }

    /// Counts one more lambda or function body; false past [`MAX_LAMBDA_CALLS`].
    fn take_body_call(&self) -> bool {
        let calls = self.lambda_calls.get() + 1;
        self.lambda_calls.set(calls);
        calls <= MAX_LAMBDA_CALLS
    }

    /// A call of a user-defined function (`namespace.member`, from the template's `functions`):
    /// its output evaluated with `parameters()` naming the arguments. A function the template
    /// does not define, or a call past the budget, is an unknown that depends on the arguments.
    fn user_function(&self, env: &Env, lower: &str, args: &[Expr], at: Span) -> Value {
        let values = self.args(env, args, at);
        let definition = self.user_function_definition(env.scope, lower);
        let output = definition.and_then(|f| f.get("output")?.get("value"));
        let Some(output) = output.filter(|_| self.take_body_call()) else {
            return unknown_of(&values, at);
        };
        // A function without parameters may leave `parameters` out.
        let parameters = definition.and_then(|f| f.get("parameters"));
        let arguments = parameters
            .map_or(&[][..], Json::elements)
            .iter()
            .zip(values)
            .filter_map(|(p, v)| {
                let name = p.get("name")?.as_str()?;
                Some((name.to_ascii_lowercase(), Rc::new(v)))
            })
            .collect();
        // The body sees its arguments only: no loop, lambda or outer function variables.
        let inner = Env {
            scope: env.scope,
            function_arguments: Some(Rc::new(arguments)),
            ..Env::default()
        };
        self.json(&inner, output).moved_to(at)
    }

    /// The definition of the user-defined function `namespace.member` (lower case) that
    /// expressions of `scope` call.
    fn user_function_definition(&self, scope: usize, lower: &str) -> Option<&'a Json<'a>> {
        let (namespace, member) = lower.split_once('.')?;
        let template = self.scope(self.names_scope(scope)).template;
        template
            .get("functions")?
            .elements()
            .iter()
            .filter(|f| {
                f.get("namespace")
                    .and_then(Json::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(namespace))
            })
            .find_map(|f| {
                let members = f.get("members")?.members();
                let found = members.iter().find(|m| m.key.eq_ignore_ascii_case(member));
                found.map(|m| &m.value)
            })
    }

    /// The body of `lambda` with its parameters bound to `arguments`; `None` past
    /// [`MAX_LAMBDA_CALLS`].
    fn apply(&self, env: &Env, lambda: &Lambda, arguments: Vec<Value>, at: Span) -> Option<Value> {
        if !self.take_body_call() {
            return None;
        }
        let mut inner = env.clone();
        inner.lambda_variables.extend(
            lambda
                .parameters
                .iter()
                .zip(arguments)
                .map(|(name, value)| (name.to_string(), Rc::new(value))),
        );
        let value = self.expr(&inner, lambda.body, at);
        // A body of literals makes a new value on each call.
        self.budget.made(&value);
        Some(value)
    }

    /// `apply` to an element and its index, as `map`, `filter` and `reduce` pass them.
    fn apply_indexed(
        &self,
        env: &Env,
        lambda: &Lambda,
        mut arguments: Vec<Value>,
        index: usize,
        at: Span,
    ) -> Option<Value> {
        arguments.push(number(index as f64, at));
        self.apply(env, lambda, arguments, at)
    }

    fn map(&self, env: &Env, lambda: &Lambda, items: &[Value], at: Span) -> Option<Value> {
        let mapped = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.apply_indexed(env, lambda, vec![item.clone()], i, at))
            .collect::<Option<Vec<Value>>>()?;
        Some(Value::new(ValueKind::List(mapped), at))
    }

    /// `None` also when an element's predicate is not known.
    fn filter(&self, env: &Env, lambda: &Lambda, items: &[Value], at: Span) -> Option<Value> {
        let mut kept = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if self
                .apply_indexed(env, lambda, vec![item.clone()], i, at)?
                .as_bool()?
            {
                kept.push(item.clone());
            }
        }
        Some(Value::new(ValueKind::List(kept), at))
    }

    fn reduce(
        &self,
        env: &Env,
        lambda: &Lambda,
        items: &[Value],
        initial: &Value,
        at: Span,
    ) -> Option<Value> {
        let mut accumulated = initial.clone();
        for (i, item) in items.iter().enumerate() {
            accumulated =
                self.apply_indexed(env, lambda, vec![accumulated, item.clone()], i, at)?;
        }
        Some(accumulated)
    }

    /// A stable insertion sort on `lambda(a, b)`, true when `a` goes before `b`; `None` when a
    /// comparison is not known.
    fn sort(&self, env: &Env, lambda: &Lambda, items: &[Value], at: Span) -> Option<Value> {
        let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
        for item in items {
            let mut position = sorted.len();
            for (j, placed) in sorted.iter().enumerate() {
                let arguments = vec![item.clone(), placed.clone()];
                if self.apply(env, lambda, arguments, at)?.as_bool()? {
                    position = j;
                    break;
                }
            }
            sorted.insert(position, item.clone());
        }
        Some(Value::new(ValueKind::List(sorted), at))
    }

    /// `None` when a key is not known text. A later element with the same key replaces an
    /// earlier one.
    fn to_object(
        &self,
        env: &Env,
        key: &Lambda,
        value: Option<&Lambda>,
        items: &[Value],
        at: Span,
    ) -> Option<Value> {
        let mut entries: Vec<Entry> = Vec::new();
        for item in items {
            let name = self.apply(env, key, vec![item.clone()], at)?.to_text()?;
            let value = match value {
                Some(lambda) => self.apply(env, lambda, vec![item.clone()], at)?,
                None => item.clone(),
            };
            entries.push(Entry {
                key: name,
                span: None,
                value,
            });
        }
        Some(Value::new(
            ValueKind::Map(last_of_each_key(entries, true)),
            at,
        ))
    }

    fn map_values(&self, env: &Env, lambda: &Lambda, entries: &[Entry], at: Span) -> Option<Value> {
        let mapped = entries
            .iter()
            .map(|e| {
                Some(Entry {
                    key: e.key.clone(),
                    span: e.span,
                    value: self.apply(env, lambda, vec![e.value.clone()], at)?,
                })
            })
            .collect::<Option<Vec<Entry>>>()?;
        Some(Value::new(ValueKind::Map(mapped), at))
    }

    /// `None` when a key is not known text.
    fn group_by(&self, env: &Env, lambda: &Lambda, items: &[Value], at: Span) -> Option<Value> {
        let mut groups: Vec<Entry> = Vec::new();
        for item in items {
            let key = self.apply(env, lambda, vec![item.clone()], at)?.to_text()?;
            let index = match groups.iter().position(|g| g.key.eq_ignore_ascii_case(&key)) {
                Some(i) => i,
                None => {
                    groups.push(Entry {
                        key,
                        span: None,
                        value: Value::new(ValueKind::List(Vec::new()), at),
                    });
                    groups.len() - 1
                }
            };
            if let ValueKind::List(members) = &mut groups[index].value.kind {
                members.push(item.clone());
            }
        }
        Some(Value::new(ValueKind::Map(groups), at))
    }

    fn copy_index(&self, env: &Env, args: &[Expr], at: Span) -> Value {
        let values: Vec<Value> = args.iter().map(|a| self.expr(env, a, at)).collect();
        let (name, offset) = match values.as_slice() {
            [] => (None, Some(0.0)),
            [v] => match &v.kind {
                ValueKind::String(s) => (Some(s.to_ascii_lowercase()), Some(0.0)),
                ValueKind::Number(n) => (None, Some(*n)),
                _ => (None, None),
            },
            [n, o, ..] => (
                n.as_str().map(str::to_ascii_lowercase),
                match o.kind {
                    ValueKind::Number(x) => Some(x),
                    _ => None,
                },
            ),
        };
        let found = match &name {
            Some(name) => env.loops.iter().rev().find(|l| &l.0 == name),
            None => env
                .loops
                .iter()
                .rev()
                .find(|l| l.2)
                .or_else(|| env.loops.last()),
        };
        match (found.and_then(|l| l.1), offset) {
            (Some(i), Some(o)) => Value::new(ValueKind::Number(i as f64 + o), at),
            _ => hole("copyIndex()", at),
        }
    }

    /// `parameters(name)` in `env`: a user-defined function's argument inside one, else the
    /// template's parameter.
    fn parameter_in(&self, env: &Env, name: &str, at: Span) -> Option<Rc<Value>> {
        match &env.function_arguments {
            Some(arguments) => Some(
                arguments
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map_or_else(|| Rc::new(Value::unknown(at)), |(_, v)| v.clone()),
            ),
            None => self.parameter_shared(env.scope, name, at),
        }
    }

    /// The cached value of a parameter where it was written; `None` for a parameter whose value
    /// refers to itself.
    fn parameter_shared(&self, scope: usize, name: &str, at: Span) -> Option<Rc<Value>> {
        let scope_index = self.names_scope(scope);
        let scope = self.scope(scope_index);
        cached(
            &scope.param_cache,
            &self.reads_declarations,
            name,
            |key| match scope.supplied.get(key) {
                Some(Supplied::Value(v)) => v.clone(),
                Some(Supplied::Outer(outer, json)) => self.json(outer, json),
                None => match scope
                    .params
                    .get(key)
                    .and_then(|m| m.value.get("defaultValue"))
                {
                    Some(default) => self.json(&Env::new(scope_index), default),
                    None => hole(&format!("parameters('{name}')"), at),
                },
            },
        )
    }

    pub fn variable(&self, scope: usize, name: &str, at: Span) -> Value {
        self.variable_shared(scope, name, at)
            .map_or_else(|| Value::unknown(at), |v| self.budget.used_at(&v, at))
    }

    /// The cached value of a variable where it was written; `None` for a variable that refers
    /// to itself.
    fn variable_shared(&self, scope: usize, name: &str, at: Span) -> Option<Rc<Value>> {
        let scope_index = self.names_scope(scope);
        let scope = self.scope(scope_index);
        cached(&scope.var_cache, &self.reads_declarations, name, |key| {
            let env = Env::new(scope_index);
            match scope.vars.get(key) {
                Some(VarDef::Json(json)) => self.json(&env, json),
                Some(VarDef::Copy(copy)) => self.copy_list(&env, copy, name),
                None => Value::unknown(at),
            }
        })
    }

    /// The value of an output of the template in `scope` (`reference(module).outputs.x.value`).
    pub fn output(&self, scope: usize, name: &str, at: Span) -> Value {
        let scope_ref = self.scope(scope);
        let key = name.to_ascii_lowercase();
        if let Some(cached) = scope_ref.output_cache.borrow().get(&key) {
            return match cached {
                Some(v) => self.budget.used_at(v, at),
                None => Value::unknown(at),
            };
        }
        scope_ref
            .output_cache
            .borrow_mut()
            .insert(key.clone(), None);
        let output = scope_ref.output_json(&key);
        let env = Env::new(scope);
        let value = match output {
            Some(o) => match (o.get("copy"), o.get("value")) {
                (None, Some(v)) => self.json(&env, v),
                (Some(copy), _) => {
                    let name = copy
                        .get("name")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_string();
                    self.copy_list(&env, copy, &name)
                }
                _ => Value::unknown(at),
            },
            None => Value::unknown(at),
        };
        let used = self.budget.used_at(&value, at);
        scope_ref
            .output_cache
            .borrow_mut()
            .insert(key, Some(Rc::new(value)));
        used
    }

    /// The resource an id, a symbolic name or a plain name designates.
    pub fn target_of(&self, scope: usize, value: &Value) -> Option<ResourceId> {
        self.reads_declarations.set(true);
        let key = value.key()?;
        if let Some(&id) = self.scope(scope).symbols.get(&key) {
            return Some(id);
        }
        if let Some((type_lower, name)) = split_id(&key) {
            return self.index.lookup(&type_lower, &name);
        }
        if key.contains('/') || !usable_key(&key) {
            return None;
        }
        match self.index.by_name.get(&key).map(Vec::as_slice) {
            Some([only]) => Some(*only),
            _ => None,
        }
    }

    fn path_of(&self, env: &Env, steps: &[Step], at: Span) -> (String, String) {
        let mut attribute = String::new();
        let mut secret_path = String::new();
        for step in steps {
            match step {
                Step::Prop(name) => {
                    if !attribute.is_empty() {
                        attribute.push('.');
                        secret_path.push('.');
                    }
                    attribute.push_str(name);
                    secret_path.push_str(name);
                }
                Step::Index(index) => {
                    let text = self
                        .expr(env, index, at)
                        .to_text()
                        .unwrap_or_else(|| "*".into());
                    attribute.push_str(&format!("[{text}]"));
                    secret_path.push_str("[]");
                }
            }
        }
        (attribute, secret_path)
    }

    fn reference(&self, env: &Env, whole: &Expr, args: &[Expr], steps: &[Step], at: Span) -> Value {
        let values = self.args(env, args, at);
        let target = values.first().and_then(|v| self.target_of(env.scope, v));
        let full = values
            .get(2)
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("full"));
        // A nested deployment's outputs are known: follow them into the inner template.
        if let Some(&inner) = target.and_then(|t| self.index.nested.get(&t)) {
            let rest = if full {
                match steps {
                    [Step::Prop(p), rest @ ..] if p.eq_ignore_ascii_case("properties") => rest,
                    _ => &[],
                }
            } else {
                steps
            };
            if let [Step::Prop(outputs), Step::Prop(name), rest @ ..] = rest
                && outputs.eq_ignore_ascii_case("outputs")
            {
                let mut value = self.output(inner, name, at);
                let rest = match rest {
                    [Step::Prop(v), rest @ ..] if v.eq_ignore_ascii_case("value") => rest,
                    _ => rest,
                };
                for step in rest {
                    value = self.step(env, &value, step, at);
                }
                return value;
            }
        }
        let (attribute, path) = self.path_of(env, steps, at);
        let secret = target.is_some_and(|t| {
            let path = if full {
                path.clone()
            } else {
                format!("properties.{path}")
            };
            crate::data::is_arm_reference_secret(self.index.type_of(t), &path)
        });
        let mut value = Value::new(
            ValueKind::Ref(Box::new(Ref {
                resource: target,
                text: whole.text().into(),
                attribute: attribute.into(),
                secret,
            })),
            at,
        );
        if target.is_none() {
            // Keep what the target expression depended on; naming a resource with a secret-derived
            // expression does not make the resource's properties secret.
            let refs = declassify(unknown_of(values.first(), at));
            if let (ValueKind::Ref(r), ValueKind::Unknown(mut extra)) = (&value.kind, refs.kind)
                && !extra.is_empty()
            {
                extra.insert(0, Ref::clone(r));
                value = Value::new(ValueKind::Unknown(extra), at);
            }
        }
        value
    }

    fn list_function(
        &self,
        env: &Env,
        whole: &Expr,
        name: &str,
        args: &[Expr],
        steps: &[Step],
        at: Span,
    ) -> Value {
        let values = self.args(env, args, at);
        let target = values.first().and_then(|v| self.target_of(env.scope, v));
        let (attribute, _) = self.path_of(env, steps, at);
        Value::new(
            ValueKind::Ref(Box::new(Ref {
                resource: target,
                text: whole.text().into(),
                attribute: attribute.into(),
                secret: crate::data::is_arm_secret_list_function(name),
            })),
            at,
        )
    }

    fn scope_id(&self, scope: usize, at: Span) -> Value {
        let s = self.scope(scope);
        let mut b = TextBuilder::default();
        match s.level {
            Level::ResourceGroup => {
                b.text("/subscriptions/");
                b.value(&s.subscription);
                b.text("/resourceGroups/");
                b.value(&s.resource_group);
            }
            Level::Subscription => {
                b.text("/subscriptions/");
                b.value(&s.subscription);
            }
            Level::ManagementGroup => {
                b.text("/providers/Microsoft.Management/managementGroups/");
                b.value(&s.management_group);
            }
            Level::Tenant => b.text("/"),
        }
        b.finish(at).used_at(at)
    }

    /// The id of the deployment scope of `scope` (`/subscriptions/<hole>/resourceGroups/<hole>`).
    pub fn deployment_scope_id(&self, scope: usize, at: Span) -> Value {
        self.scope_id(scope, at)
    }

    fn resource_id(&self, env: &Env, function: &str, args: &[Value], at: Span) -> Value {
        let scope = self.scope(env.scope);
        let type_at = args
            .iter()
            .take(3)
            .position(|a| a.as_str().is_some_and(is_type_text));
        let Some(type_at) = type_at else {
            return unknown_of(args, at);
        };
        let mut b = TextBuilder::default();
        let sub_prefix = |b: &mut TextBuilder, sub: &Value| {
            b.text("/subscriptions/");
            b.value(sub);
        };
        match (function, type_at) {
            ("resourceid", 0) => match scope.level {
                Level::ResourceGroup => {
                    sub_prefix(&mut b, &scope.subscription);
                    b.text("/resourceGroups/");
                    b.value(&scope.resource_group);
                }
                Level::Subscription => sub_prefix(&mut b, &scope.subscription),
                Level::ManagementGroup => {
                    b.text("/providers/Microsoft.Management/managementGroups/");
                    b.value(&scope.management_group);
                }
                Level::Tenant => {}
            },
            ("resourceid", 1) => {
                sub_prefix(&mut b, &scope.subscription);
                b.text("/resourceGroups/");
                b.value(&args[0]);
            }
            ("resourceid", _) => {
                sub_prefix(&mut b, &args[0]);
                b.text("/resourceGroups/");
                b.value(&args[1]);
            }
            ("subscriptionresourceid", 0) => sub_prefix(&mut b, &scope.subscription),
            ("subscriptionresourceid", 1) => sub_prefix(&mut b, &args[0]),
            ("tenantresourceid", 0) => {}
            ("extensionresourceid", 1) => b.value(&args[0]),
            ("managementgroupresourceid", 0) => {
                b.text("/providers/Microsoft.Management/managementGroups/");
                b.value(&scope.management_group);
            }
            ("managementgroupresourceid", 1) => {
                let first = args[0].text_with_holes("\0").unwrap_or_default();
                if !first.starts_with('/') {
                    b.text("/providers/Microsoft.Management/managementGroups/");
                }
                b.value(&args[0]);
            }
            _ => return unknown_of(args, at),
        }
        let resource_type = args[type_at].as_str().unwrap_or_default();
        let names = &args[type_at + 1..];
        b.text("/providers/");
        let mut segments = resource_type.split('/');
        b.text(segments.next().unwrap_or_default());
        let mut names_iter = names.iter();
        for segment in segments {
            b.text("/");
            b.text(segment);
            if let Some(name) = names_iter.next() {
                b.text("/");
                b.value(name);
            }
        }
        for extra in names_iter {
            b.text("/");
            b.value(extra);
        }
        b.finish(at)
    }

    fn function(
        &self,
        env: &Env,
        whole: &Expr,
        name: &str,
        mut args: Vec<Value>,
        at: Span,
    ) -> Value {
        let scope = self.scope(env.scope);
        let s = |i: usize| args.get(i).and_then(Value::to_text);
        let n = |i: usize| match args.get(i).map(|v| &v.kind) {
            Some(ValueKind::Number(n)) => Some(*n),
            Some(ValueKind::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let all_known = args.iter().all(deep_known);
        let string = |text: String| Value::string(text, at);
        let boolean = |b: bool| Value::new(ValueKind::Bool(b), at);
        let unknown = || unknown_of(&args, at);
        match name {
            "null" => Value::new(ValueKind::Null, at),
            "true" => boolean(true),
            "false" => boolean(false),
            "concat" => {
                if args.iter().any(|a| matches!(a.kind, ValueKind::List(_))) {
                    if !args.iter().all(|a| matches!(a.kind, ValueKind::List(_))) {
                        return unknown();
                    }
                    let items = args
                        .iter()
                        .flat_map(|a| a.items().iter().cloned())
                        .collect();
                    return Value::new(ValueKind::List(items), at);
                }
                let mut b = TextBuilder::default();
                for arg in &args {
                    if matches!(arg.kind, ValueKind::Map(_) | ValueKind::Null) {
                        return unknown();
                    }
                    b.value(arg);
                }
                b.finish(at)
            }
            "format" => self.format(&args, at),
            "uri" if args.len() == 2 => uri(&args[0], &args[1], at),
            "string" => match args.first().map(|a| &a.kind) {
                Some(ValueKind::String(_) | ValueKind::Template(_)) => {
                    args.swap_remove(0).moved_to(at)
                }
                Some(ValueKind::Bool(b)) => string(if *b { "True" } else { "False" }.into()),
                Some(ValueKind::Number(n)) => string(crate::model::value::format_number(*n)),
                Some(ValueKind::Map(_) | ValueKind::List(_)) => args[0]
                    .json_text(at, |json| json.to_string())
                    .unwrap_or_else(unknown),
                _ => unknown(),
            },
            "tolower" | "toupper" => match args.first() {
                Some(v) => map_text(v, at, |t| {
                    if name == "tolower" {
                        t.to_lowercase()
                    } else {
                        t.to_uppercase()
                    }
                }),
                None => unknown(),
            },
            "trim" => match s(0) {
                Some(t) => string(t.trim().to_string()),
                None => unknown(),
            },
            "replace" => match (args.first(), s(1), s(2)) {
                (Some(v), Some(old), Some(new))
                    if !old.is_empty() && self.budget.make(replaced_size(v, &old, &new)) =>
                {
                    map_text(v, at, |t| t.replace(&old, &new))
                }
                _ => unknown(),
            },
            "coalesce" => match args.iter().position(|a| !a.is_null()) {
                None => Value::new(ValueKind::Null, at),
                Some(i) if matches!(args[i].kind, ValueKind::Unknown(_) | ValueKind::Ref(_)) => {
                    unknown()
                }
                Some(i) => args.swap_remove(i).moved_to(at),
            },
            "union" => {
                if args.iter().all(|a| matches!(a.kind, ValueKind::Map(_))) {
                    merged_objects(&args, at)
                } else if args.iter().all(|a| matches!(a.kind, ValueKind::List(_))) {
                    let total = args.iter().map(|a| a.items().len()).sum();
                    if !self.budget.make(pairwise_units(total)) {
                        return unknown();
                    }
                    let mut items: Vec<Value> = Vec::new();
                    for item in args.iter().flat_map(|a| a.items()) {
                        if !items.iter().any(|i| same(i, item) == Some(true)) {
                            items.push(item.clone());
                        }
                    }
                    Value::new(ValueKind::List(items), at)
                } else {
                    unknown()
                }
            }
            // `union` of the objects of an array.
            "shallowmerge" => match args.first().map(|a| &a.kind) {
                Some(ValueKind::List(items))
                    if items.iter().all(|i| matches!(i.kind, ValueKind::Map(_))) =>
                {
                    merged_objects(items, at)
                }
                _ => unknown(),
            },
            "join" => match (args.first().map(|a| &a.kind), s(1)) {
                (Some(ValueKind::List(items)), Some(delimiter)) => {
                    if items
                        .iter()
                        .any(|i| matches!(i.kind, ValueKind::Map(_) | ValueKind::List(_)))
                    {
                        return unknown();
                    }
                    let mut b = TextBuilder::default();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            b.value(&string(delimiter.clone()));
                        }
                        b.value(item);
                    }
                    b.finish(at)
                }
                _ => unknown(),
            },
            "padleft" => match (args.first().and_then(Value::to_text), n(1), s(2)) {
                (Some(text), Some(width), Some(pad)) if pad.chars().count() == 1 => {
                    let missing = (width as usize).saturating_sub(text.chars().count());
                    if width > MAX_PAD_WIDTH || !self.budget.make(text_units(missing)) {
                        return unknown();
                    }
                    string(pad.repeat(missing) + &text)
                }
                _ => unknown(),
            },
            // .NET's ordinal comparison ignoring case, in UTF-16 units: certain for ASCII only.
            "indexof" | "lastindexof" => match (s(0), s(1)) {
                (Some(text), Some(part)) if text.is_ascii() && part.is_ascii() => {
                    let (text, part) = (text.to_ascii_lowercase(), part.to_ascii_lowercase());
                    let found = match name {
                        "indexof" => text.find(&part),
                        _ => text.rfind(&part),
                    };
                    Value::new(ValueKind::Number(found.map_or(-1.0, |i| i as f64)), at)
                }
                _ => unknown(),
            },
            "flatten" => match args.first().map(|a| &a.kind) {
                Some(ValueKind::List(items))
                    if items.iter().all(|i| matches!(i.kind, ValueKind::List(_))) =>
                {
                    let items = items.iter().flat_map(|i| i.items().iter().cloned());
                    Value::new(ValueKind::List(items.collect()), at)
                }
                _ => unknown(),
            },
            "createobject" => {
                let mut entries = Vec::new();
                for pair in args.chunks(2) {
                    let [key, value] = pair else {
                        return unknown();
                    };
                    // A key only partly known, such as the id of an identity in an unknown
                    // subscription (AVM builds `userAssignedIdentities` so), is kept as its
                    // stable key text: the resource it names still resolves.
                    let key = match &key.kind {
                        ValueKind::Template(_) => key.key(),
                        _ => key.to_text(),
                    };
                    let Some(key) = key else {
                        return unknown();
                    };
                    entries.push(Entry {
                        key,
                        span: None,
                        value: value.clone(),
                    });
                }
                Value::new(ValueKind::Map(entries), at)
            }
            "createarray" => Value::new(ValueKind::List(args), at),
            // ARM's limit on the count is 10,000.
            "range" => match (n(0), n(1)) {
                (Some(start), Some(count)) if (0.0..=10_000.0).contains(&count) => {
                    let items = (0..count as i64)
                        .map(|i| number(start.trunc() + i as f64, at))
                        .collect();
                    Value::new(ValueKind::List(items), at)
                }
                _ => unknown(),
            },
            "less" | "lessorequals" | "greater" | "greaterorequals" => {
                let ordering = match (args.first().map(|a| &a.kind), args.get(1).map(|a| &a.kind)) {
                    (Some(ValueKind::Number(a)), Some(ValueKind::Number(b))) => a.partial_cmp(b),
                    (Some(ValueKind::String(a)), Some(ValueKind::String(b))) => Some(a.cmp(b)),
                    _ => None,
                };
                match ordering {
                    Some(ordering) => boolean(match name {
                        "less" => ordering.is_lt(),
                        "lessorequals" => ordering.is_le(),
                        "greater" => ordering.is_gt(),
                        _ => ordering.is_ge(),
                    }),
                    None => unknown(),
                }
            }
            // ARM lists the entries by key in alphabetical order.
            "items" => match args.first().map(|a| &a.kind) {
                Some(ValueKind::Map(entries)) => {
                    let mut entries: Vec<&Entry> = entries.iter().collect();
                    entries.sort_by_cached_key(|e| e.key.to_lowercase());
                    let items = entries
                        .into_iter()
                        .map(|e| {
                            map_value(
                                vec![("key", string(e.key.clone())), ("value", e.value.clone())],
                                at,
                            )
                        })
                        .collect();
                    Value::new(ValueKind::List(items), at)
                }
                _ => unknown(),
            },
            "array" => match args.first().map(|a| &a.kind) {
                Some(ValueKind::List(_)) => args.swap_remove(0).moved_to(at),
                Some(_) if all_known => Value::new(ValueKind::List(args), at),
                _ => unknown(),
            },
            "json" => match s(0) {
                Some(text) => match super::parse::parse(scope.file, &text) {
                    Ok(json) => literal(&json).used_at(at),
                    Err(_) => unknown(),
                },
                None => unknown(),
            },
            "first" | "last" => match args.first().map(|a| &a.kind) {
                Some(ValueKind::String(t)) => {
                    let c = if name == "first" {
                        t.chars().next()
                    } else {
                        t.chars().last()
                    };
                    string(c.map(String::from).unwrap_or_default())
                }
                Some(ValueKind::List(l)) => {
                    let item = if name == "first" { l.first() } else { l.last() };
                    item.map_or_else(|| Value::new(ValueKind::Null, at), |i| i.used_at(at))
                }
                _ => unknown(),
            },
            "split" => {
                let delimiters: Vec<String> = match args.get(1).map(|a| &a.kind) {
                    Some(ValueKind::String(d)) => vec![d.clone()],
                    Some(ValueKind::List(ds)) => ds.iter().filter_map(Value::to_text).collect(),
                    _ => return unknown(),
                };
                match args.first().and_then(Value::as_str) {
                    Some(text) if delimiters.iter().all(|d| !d.is_empty()) => {
                        let mut pieces = vec![text.to_string()];
                        for d in &delimiters {
                            pieces = pieces
                                .iter()
                                .flat_map(|p| p.split(d.as_str()).map(str::to_string))
                                .collect();
                        }
                        Value::new(
                            ValueKind::List(pieces.into_iter().map(string).collect()),
                            at,
                        )
                    }
                    _ => unknown(),
                }
            }
            "substring" => match (args.first().and_then(Value::as_str), n(1)) {
                (Some(text), Some(start)) if start >= 0.0 => {
                    let chars: Vec<char> = text.chars().collect();
                    let start = start as usize;
                    let len =
                        n(2).map_or(chars.len().saturating_sub(start), |l| l.max(0.0) as usize);
                    match chars.get(start..start.saturating_add(len).min(chars.len())) {
                        Some(piece) if start <= chars.len() => string(piece.iter().collect()),
                        _ => unknown(),
                    }
                }
                _ => unknown(),
            },
            "take" | "skip" => {
                let Some(count) = n(1) else {
                    return unknown();
                };
                let count = count.max(0.0) as usize;
                match args.first().map(|a| &a.kind) {
                    Some(ValueKind::String(t)) => {
                        let chars = t.chars();
                        string(if name == "take" {
                            chars.take(count).collect()
                        } else {
                            chars.skip(count).collect()
                        })
                    }
                    Some(ValueKind::List(l)) => {
                        let items = if name == "take" {
                            l.iter().take(count).cloned().collect()
                        } else {
                            l.iter().skip(count).cloned().collect()
                        };
                        Value::new(ValueKind::List(items), at)
                    }
                    _ => unknown(),
                }
            }
            "base64" => match s(0) {
                Some(text) => string(STANDARD.encode(text)),
                None => unknown(),
            },
            "add" | "sub" | "mul" | "div" | "mod" | "min" | "max" => {
                let numbers: Option<Vec<f64>> = match args.first().map(|a| &a.kind) {
                    Some(ValueKind::List(items)) if args.len() == 1 => items
                        .iter()
                        .map(|i| match i.kind {
                            ValueKind::Number(x) => Some(x),
                            _ => None,
                        })
                        .collect(),
                    _ => (0..args.len()).map(n).collect(),
                };
                let result = match (name, numbers.as_deref()) {
                    ("add", Some([a, b])) => Some(a + b),
                    ("sub", Some([a, b])) => Some(a - b),
                    ("mul", Some([a, b])) => Some(a * b),
                    ("div", Some([a, b])) if *b != 0.0 => Some((a / b).trunc()),
                    ("mod", Some([a, b])) if *b != 0.0 => Some(a % b),
                    ("min", Some(xs)) if !xs.is_empty() => xs.iter().copied().reduce(f64::min),
                    ("max", Some(xs)) if !xs.is_empty() => xs.iter().copied().reduce(f64::max),
                    _ => None,
                };
                result.map_or_else(unknown, |x| number(x, at))
            }
            "tryget" => {
                if args.is_empty() {
                    return unknown();
                }
                let keys = args.split_off(1);
                let mut value = args.swap_remove(0).moved_to(at);
                for key in &keys {
                    value = match (&value.kind, &key.kind) {
                        (ValueKind::Null, _) => return Value::new(ValueKind::Null, at),
                        (ValueKind::Map(_), ValueKind::String(k)) => match value.get(k) {
                            Some(v) => v.used_at(at),
                            None if deep_known(&value) => Value::new(ValueKind::Null, at),
                            None => unknown_of([&value], at),
                        },
                        (ValueKind::List(items), ValueKind::Number(i)) => {
                            match items.get(*i as usize).filter(|_| *i >= 0.0) {
                                Some(v) => v.used_at(at),
                                None => Value::new(ValueKind::Null, at),
                            }
                        }
                        (ValueKind::Ref(r), _) => match key.to_text() {
                            Some(k) if matches!(key.kind, ValueKind::String(_)) => {
                                extend_ref(r, &format!(".{k}"), at)
                            }
                            Some(k) => extend_ref(r, &format!("[{k}]"), at),
                            None => unknown_of([&value, key], at),
                        },
                        _ => unknown_of([&value, key], at),
                    };
                }
                value
            }
            "startswith" | "endswith" => match (s(0), s(1)) {
                (Some(a), Some(b)) => {
                    let (a, b) = (a.to_lowercase(), b.to_lowercase());
                    boolean(if name == "startswith" {
                        a.starts_with(&b)
                    } else {
                        a.ends_with(&b)
                    })
                }
                _ => unknown(),
            },
            "int" => match n(0) {
                Some(x) => number(x.trunc(), at),
                None => unknown(),
            },
            "bool" => match args.first().and_then(Value::as_bool) {
                Some(b) => boolean(b),
                None => unknown(),
            },
            "uniquestring" | "guid" | "newguid" | "utcnow" => {
                let mut value = unknown();
                if let ValueKind::Unknown(refs) = &mut value.kind {
                    refs.insert(
                        0,
                        Ref {
                            resource: None,
                            text: whole.text().into(),
                            attribute: Arc::default(),
                            secret: false,
                        },
                    );
                }
                value
            }
            "resourceid"
            | "subscriptionresourceid"
            | "tenantresourceid"
            | "extensionresourceid"
            | "managementgroupresourceid" => self.resource_id(env, name, &args, at),
            "subscription" => {
                let sub = match s(0) {
                    Some(_) => args[0].clone(),
                    None => scope.subscription.clone(),
                };
                let mut id = TextBuilder::default();
                id.text("/subscriptions/");
                id.value(&sub);
                map_value(
                    vec![
                        ("id", id.finish(at)),
                        ("subscriptionId", sub.used_at(at)),
                        ("tenantId", hole("subscription().tenantId", at)),
                        ("displayName", hole("subscription().displayName", at)),
                    ],
                    at,
                )
            }
            "resourcegroup" => {
                let mut id = TextBuilder::default();
                id.text("/subscriptions/");
                id.value(&scope.subscription);
                id.text("/resourceGroups/");
                id.value(&scope.resource_group);
                map_value(
                    vec![
                        ("id", id.finish(at)),
                        ("name", scope.resource_group.used_at(at)),
                        ("location", hole("resourceGroup().location", at)),
                        ("tags", hole("resourceGroup().tags", at)),
                    ],
                    at,
                )
            }
            "managementgroup" => {
                let mg = match s(0) {
                    Some(_) => args[0].clone(),
                    None => scope.management_group.clone(),
                };
                let mut id = TextBuilder::default();
                id.text("/providers/Microsoft.Management/managementGroups/");
                id.value(&mg);
                map_value(
                    vec![
                        ("id", id.finish(at)),
                        ("name", mg.used_at(at)),
                        (
                            "type",
                            string("Microsoft.Management/managementGroups".into()),
                        ),
                    ],
                    at,
                )
            }
            "tenant" => map_value(
                vec![
                    ("tenantId", hole("tenant().tenantId", at)),
                    ("displayName", hole("tenant().displayName", at)),
                ],
                at,
            ),
            "deployment" => map_value(
                vec![
                    ("name", hole("deployment().name", at)),
                    ("location", hole("deployment().location", at)),
                    (
                        "properties",
                        map_value(
                            vec![(
                                "templateLink",
                                map_value(
                                    vec![(
                                        "uri",
                                        hole("deployment().properties.templateLink.uri", at),
                                    )],
                                    at,
                                ),
                            )],
                            at,
                        ),
                    ),
                ],
                at,
            ),
            "environment" => map_value(
                vec![
                    ("name", hole("environment().name", at)),
                    (
                        "suffixes",
                        map_value(
                            vec![
                                ("storage", hole("environment().suffixes.storage", at)),
                                (
                                    "keyvaultDns",
                                    hole("environment().suffixes.keyvaultDns", at),
                                ),
                            ],
                            at,
                        ),
                    ),
                ],
                at,
            ),
            _ => unknown(),
        }
    }

    fn format(&self, args: &[Value], at: Span) -> Value {
        let Some(pattern) = args.first().and_then(Value::as_str) else {
            return unknown_of(args, at);
        };
        let mut b = TextBuilder::default();
        let mut chars = pattern.char_indices().peekable();
        let mut literal = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let Some(close) = pattern[i..].find('}') else {
                        return unknown_of(args, at);
                    };
                    let inner = &pattern[i + 1..i + close];
                    let index = inner.split([',', ':']).next().unwrap_or("").trim();
                    let Ok(index) = index.parse::<usize>() else {
                        return unknown_of(args, at);
                    };
                    let Some(arg) = args.get(index + 1) else {
                        return unknown_of(args, at);
                    };
                    b.text(&literal);
                    literal.clear();
                    // A pattern may use an argument any number of times: each use is made.
                    let text = match &arg.kind {
                        ValueKind::Map(_) | ValueKind::List(_) | ValueKind::Null
                            if deep_known(arg) =>
                        {
                            arg.to_json().map(|json| json.to_string())
                        }
                        _ => None,
                    };
                    let units = text
                        .as_ref()
                        .map_or(arg.own_size(), |t| text_units(t.len()));
                    if !self.budget.make(units) {
                        return unknown_of(args, at);
                    }
                    match (&arg.kind, text) {
                        (_, Some(text)) => b.text(&text),
                        (ValueKind::Bool(v), _) => b.text(if *v { "True" } else { "False" }),
                        (ValueKind::Map(_) | ValueKind::List(_) | ValueKind::Null, _) => {
                            b.value(&unknown_of([arg], at))
                        }
                        _ => b.value(arg),
                    }
                    while chars.peek().is_some_and(|p| p.0 <= i + close) {
                        chars.next();
                    }
                }
                c => literal.push(c),
            }
        }
        b.text(&literal);
        b.finish(at)
    }
}

/// The functions in [`INSPECTING_FUNCTIONS`]: what they yield is made of none of their
/// arguments' values.
fn inspect(name: &str, args: &[&Value], at: Span) -> Value {
    let boolean = |b: bool| Value::new(ValueKind::Bool(b), at);
    let unknown = || unknown_of(args.iter().copied(), at);
    match name {
        "empty" => match args.first().map(|a| &a.kind) {
            Some(ValueKind::Null) => boolean(true),
            Some(ValueKind::String(t)) => boolean(t.is_empty()),
            Some(ValueKind::List(l)) => boolean(l.is_empty()),
            Some(ValueKind::Map(m)) => boolean(m.is_empty()),
            Some(ValueKind::Template(_)) => boolean(false),
            _ => unknown(),
        },
        "equals" => match (args.first(), args.get(1)) {
            (Some(a), Some(b)) => same(a, b).map_or_else(unknown, boolean),
            _ => unknown(),
        },
        "not" => match args.first().and_then(|a| a.as_bool()) {
            Some(b) => boolean(!b),
            None => unknown(),
        },
        "and" | "or" => {
            let want = name == "or";
            if args.iter().any(|a| a.as_bool() == Some(want)) {
                boolean(want)
            } else if args.iter().all(|a| a.as_bool().is_some()) {
                boolean(!want)
            } else {
                unknown()
            }
        }
        "contains" => match (args.first().map(|a| &a.kind), args.get(1)) {
            (Some(ValueKind::String(t)), Some(item)) => match item.to_text() {
                Some(i) => boolean(t.contains(&i)),
                None => unknown(),
            },
            (Some(ValueKind::List(items)), Some(item)) if args.iter().all(|a| deep_known(a)) => {
                boolean(items.iter().any(|i| same(i, item) == Some(true)))
            }
            (Some(ValueKind::Map(_)), Some(item)) => match item.to_text() {
                Some(key) => boolean(args[0].entry(&key).is_some()),
                None => unknown(),
            },
            _ => unknown(),
        },
        "length" => match args.first().map(|a| &a.kind) {
            Some(ValueKind::String(t)) => number(t.chars().count() as f64, at),
            Some(ValueKind::List(l)) => number(l.len() as f64, at),
            Some(ValueKind::Map(m)) => number(m.len() as f64, at),
            _ => unknown(),
        },
        _ => unknown(),
    }
}

fn number(n: f64, at: Span) -> Value {
    Value::new(ValueKind::Number(n), at)
}

fn map_value(entries: Vec<(&str, Value)>, at: Span) -> Value {
    Value::new(
        ValueKind::Map(
            entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key: key.to_string(),
                    span: None,
                    value,
                })
                .collect(),
        ),
        at,
    )
}

/// `.name` on a value.
fn member(value: &Value, name: &str, at: Span) -> Value {
    match &value.kind {
        ValueKind::Map(_) => match value.get(name) {
            Some(v) => v.used_at(at),
            None => unknown_of([value], at),
        },
        ValueKind::Ref(r) => extend_ref(r, &format!(".{name}"), at),
        _ => unknown_of([value], at),
    }
}

fn extend_ref(r: &Ref, step: &str, at: Span) -> Value {
    let mut r = r.clone();
    r.text = format!("{}{step}", r.text).into();
    let step = step.strip_prefix('.').unwrap_or(step);
    let dot = if r.attribute.is_empty() || step.starts_with('[') {
        ""
    } else {
        "."
    };
    r.attribute = format!("{}{dot}{step}", r.attribute).into();
    Value::new(ValueKind::Ref(Box::new(r)), at)
}

/// The size, in [`SizeBudget`] units, of what `replace(value, old, new)` makes.
fn replaced_size(value: &Value, old: &str, new: &str) -> u64 {
    match &value.kind {
        ValueKind::String(t) => replaced_units(t, old, new),
        ValueKind::Template(parts) => parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => replaced_units(t, old, new),
                Part::Hole(_) => 0,
            })
            .sum(),
        _ => 0,
    }
}

/// Applies `f` to the known text of a string or template.
fn map_text(value: &Value, at: Span, f: impl Fn(&str) -> String) -> Value {
    match &value.kind {
        ValueKind::String(t) => Value::string(f(t), at),
        ValueKind::Template(parts) => Value::new(
            ValueKind::Template(
                parts
                    .iter()
                    .map(|p| match p {
                        Part::Text(t) => Part::Text(f(t)),
                        hole => hole.clone(),
                    })
                    .collect(),
            ),
            at,
        ),
        _ => unknown_of([value], at),
    }
}

fn known_count(value: &Value) -> Option<i64> {
    let n = match &value.kind {
        ValueKind::Number(n) => *n,
        ValueKind::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (n >= 0.0 && n <= MAX_COPY as f64).then_some(n as i64)
}

pub fn resource_count(value: &Value) -> Option<i64> {
    known_count(value)
}

/// Known all the way down.
fn deep_known(value: &Value) -> bool {
    match &value.kind {
        ValueKind::List(items) => items.iter().all(deep_known),
        ValueKind::Map(entries) => entries.iter().all(|e| deep_known(&e.value)),
        _ => value.is_known(),
    }
}

/// Equality of two known values; `None` when either is not known.
fn same(a: &Value, b: &Value) -> Option<bool> {
    if !deep_known(a) || !deep_known(b) {
        return None;
    }
    Some(match (&a.kind, &b.kind) {
        (ValueKind::List(x), ValueKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q) == Some(true))
        }
        (ValueKind::Map(x), ValueKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.key == q.key && same(&p.value, &q.value) == Some(true))
        }
        (x, y) => x == y,
    })
}

/// A JSON value as written, without evaluating expressions (parameter files, `json()`).
pub fn literal(json: &Json) -> Value {
    let kind = match &json.kind {
        JsonKind::Null => ValueKind::Null,
        JsonKind::Bool(b) => ValueKind::Bool(*b),
        JsonKind::Number(n) => ValueKind::Number(*n),
        JsonKind::String(s) => ValueKind::String(s.to_string()),
        JsonKind::Array(items) => ValueKind::List(items.iter().map(literal).collect()),
        JsonKind::Object(members) => ValueKind::Map(
            members
                .iter()
                .map(|m| Entry {
                    key: m.key.to_string(),
                    span: Some(m.span),
                    value: literal(&m.value),
                })
                .collect(),
        ),
    };
    Value::new(kind, json.span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_ids_into_type_and_name() {
        assert_eq!(
            split_id(
                "/subscriptions/{s}/resourcegroups/{r}/providers/microsoft.web/sites/app/config/appsettings"
            ),
            Some((
                "microsoft.web/sites/config".into(),
                "app/appsettings".into()
            ))
        );
        assert_eq!(
            split_id("microsoft.keyvault/vaults/{parameters('kv')}"),
            Some((
                "microsoft.keyvault/vaults".into(),
                "{parameters('kv')}".into()
            ))
        );
        assert_eq!(split_id("/subscriptions/x"), None);
        assert_eq!(split_id("plain"), None);
    }
}
