//! Evaluation of one root module and the local modules it calls into resolved [`Value`]s.
//!
//! Everything is lazy and memoized per module instance: a variable, local, module output or
//! resource attribute is evaluated at most once per instance, and a cycle evaluates to unknown.

use foldhash::HashMap;
use std::rc::Rc;

use super::ast::{BinaryOp, Block, Body, Expr, ExprKind, ObjectKey, Step, TemplatePart};
use super::modules::{ModuleDef, is_local_source, module_source};
use crate::model::{
    Entry, Model, Part, Ref, Resource, ResourceId, ResourceMode, SizeBudget, Value, ValueKind,
    last_of_each_key,
};
use crate::source::SourceDb;
use crate::span::Span;

/// Deeper module nesting than this is not instantiated.
pub const MAX_MODULE_DEPTH: usize = 16;
/// Deeper expression evaluation than this yields unknown.
const MAX_EVAL_DEPTH: usize = 400;
/// Type constraints nested deeper than this are not applied below.
const MAX_TYPE_DEPTH: usize = 64;
/// Larger `count`/`for_each`/`for` collections than this are treated as unknown.
const MAX_INSTANCES: usize = 10_000;
/// More resource and module instances than this in one evaluation are not made: a loop past
/// them has one instance of unknown key. Module calls in `count` loops at every level multiply
/// (10 instances at 9 levels are 10^9 instances), as the limits of each loop and of depth do
/// not stop.
const MAX_TOTAL_INSTANCES: usize = 20_000;
/// Past this many bytes of loop bodies evaluated in one evaluation (blocks instantiated by
/// `count` and `for_each`, `dynamic` blocks, `for` expressions), a loop has one instance of
/// unknown key: a `count` of 10,000 on a resource of 1 MB ran for minutes and gigabytes, and so
/// did a `for` over 10,000 items with a body of 100 kB.
const MAX_LOOPED_BYTES: u64 = 64 << 20;

/// The iteration a resource, module call or dynamic block instance is evaluated in.
#[derive(Debug, Clone, Default)]
pub enum Iteration {
    #[default]
    None,
    Count(Value),
    Each {
        key: Value,
        value: Value,
    },
}

impl Iteration {
    fn address_key(&self) -> Option<String> {
        match self {
            Iteration::None => None,
            Iteration::Count(v) => Some(match v.to_text() {
                Some(t) => format!("[{t}]"),
                None => String::new(),
            }),
            Iteration::Each { key, .. } => Some(match key.as_str() {
                Some(k) => format!("[{k:?}]"),
                None => String::new(),
            }),
        }
    }

    /// The instance key a `[...]` index is compared with.
    fn matches(&self, key: &Value) -> bool {
        match (self, key.to_text()) {
            (Iteration::Count(v), Some(k)) => v.to_text().as_deref() == Some(k.as_str()),
            (Iteration::Each { key: mine, .. }, Some(k)) => mine.as_str() == Some(k.as_str()),
            _ => false,
        }
    }

    fn is_known(&self) -> bool {
        match self {
            Iteration::None => true,
            Iteration::Count(v) => v.is_known(),
            Iteration::Each { key, .. } => key.is_known(),
        }
    }
}

/// One instantiation of a module.
#[derive(Debug)]
pub struct Instance {
    pub module: usize,
    /// The calling instance, the `module` block and the call's iteration.
    pub parent: Option<(usize, Span)>,
    pub call: Option<(usize, Iteration)>,
    pub call_block: Option<usize>,
    /// `module.a["x"].module.b.`
    pub prefix: String,
    pub call_path: Vec<Span>,
    pub depth: usize,
}

/// What the evaluator knows about an allocated resource.
#[derive(Debug)]
pub struct ResourceInfo<'a> {
    pub instance: usize,
    pub block: &'a Block,
    pub iteration: Iteration,
    /// `dynamic` blocks whose `for_each` was unknown: (block type, dynamic block span).
    pub unknown_dynamic: Vec<(String, Span)>,
}

#[derive(Clone)]
enum Slot {
    InProgress,
    /// Shared, so that `local.settings.a` reads into the cached value without copying it whole.
    Done(Rc<Value>),
}

/// Evaluation scope: the instance, the iteration, and `for`/`dynamic` variables.
#[derive(Clone)]
pub struct Ctx {
    pub instance: usize,
    pub iteration: Iteration,
    vars: Vec<(String, Value)>,
}

impl Ctx {
    pub fn new(instance: usize, iteration: Iteration) -> Ctx {
        Ctx {
            instance,
            iteration,
            vars: Vec::new(),
        }
    }

    /// Binds a `for` or `dynamic` iterator variable for the rest of this scope.
    pub fn push_var(&mut self, name: String, value: Value) {
        self.vars.push((name, value));
    }
}

pub struct Evaluator<'a> {
    pub db: &'a SourceDb,
    pub modules: &'a [ModuleDef<'a>],
    pub instances: Vec<Instance>,
    pub model: Model,
    pub infos: Vec<ResourceInfo<'a>>,
    /// Values of root variables from tfvars and `--var-file`.
    root_values: HashMap<String, Value>,
    vars: HashMap<(usize, String), Slot>,
    locals: HashMap<(usize, String), Slot>,
    outputs: HashMap<(usize, String), Slot>,
    attributes: HashMap<(ResourceId, String), Slot>,
    expansions: HashMap<(usize, bool, String, String), Option<Vec<ResourceId>>>,
    module_instances: HashMap<(usize, String), Option<Vec<usize>>>,
    depth: usize,
    /// Set when evaluation fails on known values: a traversal (a missing map key, a list index
    /// out of range, an attribute of a string or of null) or a function call (`lookup` of a
    /// missing key without a default, `length(null)`). That is what Terraform reports as an
    /// error, and what `try` and `can` look at. An unknown value is not a failure.
    failed: bool,
    /// What this evaluation may still copy out of named values.
    budget: SizeBudget,
    /// How many more resource and module instances this evaluation may make.
    instances_left: usize,
    /// How many more bytes of loop bodies may be evaluated; see `MAX_LOOPED_BYTES`.
    looped_bytes_left: u64,
}

/// An unknown value that depends on `refs`.
pub fn unknown_with(refs: Vec<Ref>, span: Span) -> Value {
    Value::new(ValueKind::Unknown(refs), span)
}

/// The references of `values`, each once, in order.
pub fn refs_of<'v>(values: impl IntoIterator<Item = &'v Value>) -> Vec<Ref> {
    let mut out: Vec<Ref> = Vec::new();
    for v in values {
        for r in v.refs() {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
    }
    out
}

/// Whether `attribute` of a resource type holds a credential.
pub fn is_secret_attribute(resource_type: &str, attribute: &str, data: bool) -> bool {
    crate::data::is_azurerm_secret_attribute(resource_type, attribute, data)
        || matches!(
            (resource_type, attribute),
            ("azurerm_key_vault_secret", "value")
                | ("random_password", "result")
                | ("tls_private_key", "private_key_pem")
        )
}

impl<'a> Evaluator<'a> {
    pub fn new(db: &'a SourceDb, modules: &'a [ModuleDef<'a>], root: usize) -> Evaluator<'a> {
        Evaluator {
            db,
            modules,
            instances: vec![Instance {
                module: root,
                parent: None,
                call: None,
                call_block: None,
                prefix: String::new(),
                call_path: Vec::new(),
                depth: 0,
            }],
            model: Model::new(crate::model::Frontend::Terraform),
            infos: Vec::new(),
            root_values: HashMap::default(),
            vars: HashMap::default(),
            locals: HashMap::default(),
            outputs: HashMap::default(),
            attributes: HashMap::default(),
            expansions: HashMap::default(),
            module_instances: HashMap::default(),
            depth: 0,
            failed: false,
            budget: SizeBudget::default(),
            instances_left: MAX_TOTAL_INSTANCES,
            looped_bytes_left: MAX_LOOPED_BYTES,
        }
    }

    pub fn module(&self, instance: usize) -> &'a ModuleDef<'a> {
        &self.modules[self.instances[instance].module]
    }

    /// Sets root variable values from tfvars-style bodies, later ones winning.
    pub fn set_root_values(&mut self, bodies: &[&'a Body]) {
        let mut ctx = Ctx::new(0, Iteration::None);
        for body in bodies {
            for attr in &body.attributes {
                let value = self.eval(&attr.expr, &mut ctx);
                self.root_values.insert(attr.name.clone(), value);
            }
        }
    }

    fn text(&self, span: Span) -> &str {
        if (span.file.0 as usize) < self.db.len() {
            self.db.get(span.file).slice(span)
        } else {
            ""
        }
    }

    pub fn eval(&mut self, expr: &'a Expr, ctx: &mut Ctx) -> Value {
        if self.depth >= MAX_EVAL_DEPTH {
            return Value::unknown(expr.span);
        }
        self.depth += 1;
        let value = self.eval_inner(expr, ctx);
        self.depth -= 1;
        value
    }

    fn eval_inner(&mut self, expr: &'a Expr, ctx: &mut Ctx) -> Value {
        let span = expr.span;
        let kind = match &expr.kind {
            ExprKind::Null => ValueKind::Null,
            ExprKind::Bool(b) => ValueKind::Bool(*b),
            ExprKind::Number(n) => ValueKind::Number(*n),
            ExprKind::String(s) => ValueKind::String(s.clone()),
            ExprKind::Template(parts) => return self.template(parts, span, ctx),
            ExprKind::List(items) => {
                ValueKind::List(items.iter().map(|e| self.eval(e, ctx)).collect())
            }
            ExprKind::Object(items) => {
                let mut entries: Vec<Entry> = Vec::with_capacity(items.len());
                for item in items {
                    let key = match &item.key {
                        ObjectKey::Name(n) => Some(n.clone()),
                        ObjectKey::Expr(e) => self.eval(e, ctx).to_text(),
                    };
                    let value = self.eval(&item.value, ctx);
                    let Some(key) = key else {
                        return unknown_with(refs_of([&value]), span);
                    };
                    entries.push(Entry {
                        key,
                        span: Some(item.span),
                        value,
                    });
                }
                ValueKind::Map(last_of_each_key(entries, false))
            }
            ExprKind::Variable(_) | ExprKind::Traversal(..) => {
                return self.reference(expr, ctx);
            }
            ExprKind::Call {
                name,
                args,
                expand_final,
            } => return self.call(name, args, *expand_final, span, ctx),
            ExprKind::Conditional(c, t, f) => {
                let cond = self.eval(c, ctx);
                return match cond.as_bool() {
                    Some(true) => self.eval(t, ctx),
                    Some(false) => self.eval(f, ctx),
                    None => {
                        // Only the branch taken could fail, and which one is not known.
                        let failed = self.failed;
                        let t = self.eval(t, ctx);
                        let f = self.eval(f, ctx);
                        self.failed = failed;
                        unknown_with(refs_of([&cond, &t, &f]), span)
                    }
                };
            }
            ExprKind::Not(e) => {
                let v = self.eval(e, ctx);
                match v.as_bool() {
                    Some(b) => ValueKind::Bool(!b),
                    None => return unknown_with(refs_of([&v]), span),
                }
            }
            ExprKind::Negate(e) => {
                let v = self.eval(e, ctx);
                match number(&v) {
                    Some(n) => ValueKind::Number(-n),
                    None => return unknown_with(refs_of([&v]), span),
                }
            }
            ExprKind::Binary(op, l, r) => return self.binary(*op, l, r, span, ctx),
            ExprKind::For(f) => return self.for_expr(f, span, ctx),
        };
        Value::new(kind, span)
    }

    fn template(&mut self, parts: &'a [TemplatePart], span: Span, ctx: &mut Ctx) -> Value {
        if let [TemplatePart::Interpolation(e)] = parts {
            return self.eval(e, ctx).used_at(span);
        }
        let mut out: Vec<Part> = Vec::new();
        for part in parts {
            match part {
                TemplatePart::Literal(text) => push_text(&mut out, text),
                TemplatePart::Interpolation(e) => {
                    let v = self.eval(e, ctx);
                    append_to_template(&mut out, v);
                }
                TemplatePart::Directive(exprs) => {
                    let values: Vec<Value> = exprs.iter().map(|e| self.eval(e, ctx)).collect();
                    let refs = refs_of(&values);
                    out.push(Part::Hole(Box::new(unknown_with(refs, span))));
                }
            }
        }
        finish_template(out, span)
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        l: &'a Expr,
        r: &'a Expr,
        span: Span,
        ctx: &mut Ctx,
    ) -> Value {
        let lv = self.eval(l, ctx);
        // Short-circuit on a known left side, as Terraform's result is then known.
        match (op, lv.as_bool()) {
            (BinaryOp::And, Some(false)) => return Value::new(ValueKind::Bool(false), span),
            (BinaryOp::Or, Some(true)) => return Value::new(ValueKind::Bool(true), span),
            _ => {}
        }
        let rv = self.eval(r, ctx);
        let unknown = || unknown_with(refs_of([&lv, &rv]), span);
        let kind = match op {
            BinaryOp::And | BinaryOp::Or => match (lv.as_bool(), rv.as_bool()) {
                (Some(a), Some(b)) => {
                    ValueKind::Bool(if op == BinaryOp::And { a && b } else { a || b })
                }
                _ => return unknown(),
            },
            BinaryOp::Eq | BinaryOp::NotEq => {
                if !lv.is_known()
                    || !rv.is_known()
                    || contains_unknown(&lv)
                    || contains_unknown(&rv)
                {
                    return unknown();
                }
                let equal = known_equal(&lv, &rv);
                ValueKind::Bool(if op == BinaryOp::Eq { equal } else { !equal })
            }
            _ => {
                let (Some(a), Some(b)) = (number(&lv), number(&rv)) else {
                    return unknown();
                };
                match op {
                    BinaryOp::Less => ValueKind::Bool(a < b),
                    BinaryOp::LessEq => ValueKind::Bool(a <= b),
                    BinaryOp::Greater => ValueKind::Bool(a > b),
                    BinaryOp::GreaterEq => ValueKind::Bool(a >= b),
                    BinaryOp::Plus => ValueKind::Number(a + b),
                    BinaryOp::Minus => ValueKind::Number(a - b),
                    BinaryOp::Mul => ValueKind::Number(a * b),
                    BinaryOp::Div if b != 0.0 => ValueKind::Number(a / b),
                    BinaryOp::Mod if b != 0.0 => ValueKind::Number(a % b),
                    _ => return unknown(),
                }
            }
        };
        Value::new(kind, span)
    }

    fn for_expr(&mut self, f: &'a super::ast::ForExpr, span: Span, ctx: &mut Ctx) -> Value {
        let collection = self.eval(&f.collection, ctx);
        let bytes = f.value.span.len() + f.key.as_ref().map_or(0, |k| k.span.len());
        let pairs: Vec<(Value, Value)> = match &collection.kind {
            ValueKind::List(items) if self.take_loop(items.len(), bytes) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::new(ValueKind::Number(i as f64), v.span), v.clone()))
                .collect(),
            ValueKind::Map(entries) if self.take_loop(entries.len(), bytes) => entries
                .iter()
                .map(|e| (Value::string(e.key.clone(), e.value.span), e.value.clone()))
                .collect(),
            _ => {
                // Evaluate the body once with unknown variables so its references still count.
                let unknown = unknown_with(refs_of([&collection]), span);
                let mark = ctx.vars.len();
                if let Some(k) = &f.key_var {
                    ctx.vars.push((k.clone(), unknown.clone()));
                }
                ctx.vars.push((f.value_var.clone(), unknown.clone()));
                let body = self.eval(&f.value, ctx);
                ctx.vars.truncate(mark);
                return unknown_with(refs_of([&collection, &body]), span);
            }
        };
        let mut list = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        // The place of each key's group in `entries`, for `...` grouping.
        let mut groups: HashMap<String, usize> = HashMap::default();
        for (key, value) in pairs {
            let mark = ctx.vars.len();
            if let Some(k) = &f.key_var {
                ctx.vars.push((k.clone(), key));
                ctx.vars.push((f.value_var.clone(), value));
            } else {
                ctx.vars.push((f.value_var.clone(), value));
            }
            let keep = match &f.condition {
                Some(c) => {
                    let cv = self.eval(c, ctx);
                    match cv.as_bool() {
                        Some(b) => b,
                        None => {
                            ctx.vars.truncate(mark);
                            return unknown_with(refs_of([&collection, &cv]), span);
                        }
                    }
                }
                None => true,
            };
            if keep {
                let v = self.eval(&f.value, ctx);
                match &f.key {
                    Some(k) => {
                        let kv = self.eval(k, ctx);
                        let Some(key) = kv.to_text() else {
                            ctx.vars.truncate(mark);
                            return unknown_with(refs_of([&collection, &kv, &v]), span);
                        };
                        if f.grouping {
                            match groups.get(&key) {
                                Some(&i) => {
                                    if let ValueKind::List(items) = &mut entries[i].value.kind {
                                        items.push(v);
                                    }
                                }
                                None => {
                                    groups.insert(key.clone(), entries.len());
                                    entries.push(Entry {
                                        key,
                                        span: None,
                                        value: Value::new(ValueKind::List(vec![v]), span),
                                    });
                                }
                            }
                        } else {
                            entries.push(Entry {
                                key,
                                span: None,
                                value: v,
                            });
                        }
                    }
                    None => list.push(v),
                }
            }
            ctx.vars.truncate(mark);
        }
        if f.key.is_some() {
            Value::new(ValueKind::Map(last_of_each_key(entries, false)), span)
        } else {
            Value::new(ValueKind::List(list), span)
        }
    }

    /// `var.x`, `local.x`, `each.value`, `module.m.out`, `data.t.n.attr`, `type.name.attr`, and
    /// `for`/`dynamic` variables, followed by any further steps.
    fn reference(&mut self, expr: &'a Expr, ctx: &mut Ctx) -> Value {
        let span = expr.span;
        let (root, steps): (&'a str, &'a [Step]) = match &expr.kind {
            ExprKind::Variable(name) => (name, &[]),
            ExprKind::Traversal(base, steps) => match &base.kind {
                ExprKind::Variable(name) => (name, steps),
                _ => {
                    let value = self.eval(base, ctx);
                    return self.apply_steps(value, steps, span, ctx);
                }
            },
            _ => return Value::unknown(span),
        };
        if let Some((_, value)) = ctx.vars.iter().rev().find(|(n, _)| n == root) {
            let value = self.budget.used_at(value, span);
            return self.apply_steps(value, steps, span, ctx);
        }
        let attr = |i: usize| match steps.get(i) {
            Some(Step::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        match root {
            "var" => match attr(0) {
                Some(name) => {
                    let value = self.variable_shared(ctx.instance, name);
                    self.steps_into(&value, &steps[1..], span, ctx)
                }
                None => Value::unknown(span),
            },
            "local" => match attr(0) {
                Some(name) => {
                    let value = self.local_shared(ctx.instance, name);
                    self.steps_into(&value, &steps[1..], span, ctx)
                }
                None => Value::unknown(span),
            },
            "count" => match (&ctx.iteration, attr(0)) {
                (Iteration::Count(v), Some("index")) => v.used_at(span),
                _ => Value::unknown(span),
            },
            "each" => match (&ctx.iteration, attr(0)) {
                (Iteration::Each { key, .. }, Some("key")) => key.used_at(span),
                (Iteration::Each { value, .. }, Some("value")) => {
                    let value = self.budget.used_at(value, span);
                    self.apply_steps(value, &steps[1..], span, ctx)
                }
                _ => Value::unknown(span),
            },
            "path" | "terraform" | "self" => Value::unknown(span),
            "module" => match attr(0) {
                Some(name) => self.module_reference(name, &steps[1..], span, ctx),
                None => Value::unknown(span),
            },
            "data" => match (attr(0), attr(1)) {
                (Some(t), Some(n)) => self.resource_reference(true, t, n, &steps[2..], span, ctx),
                _ => Value::unknown(span),
            },
            resource_type => match attr(0) {
                Some(n) => self.resource_reference(false, resource_type, n, &steps[1..], span, ctx),
                None => Value::unknown(span),
            },
        }
    }

    /// [`Self::apply_steps`] on a cached value: map keys and list indexes are followed by
    /// reference, and only the part reached is copied (and placed at `span`).
    fn steps_into(
        &mut self,
        cached: &Value,
        steps: &'a [Step],
        span: Span,
        ctx: &mut Ctx,
    ) -> Value {
        let mut node = cached;
        let mut taken = 0;
        for step in steps {
            if !matches!(node.kind, ValueKind::Map(_) | ValueKind::List(_)) {
                break;
            }
            let key = match step {
                Step::Attr(name) => std::borrow::Cow::Borrowed(name.as_str()),
                Step::Index(e) => {
                    let key = self.eval(e, ctx);
                    match key.to_text() {
                        Some(k) => std::borrow::Cow::Owned(k),
                        None => return unknown_with(refs_of([node, &key]), span),
                    }
                }
                Step::Splat => break,
            };
            let next = match &node.kind {
                ValueKind::Map(entries) => entries
                    .iter()
                    .rev()
                    .find(|e| e.key == key)
                    .map(|e| &e.value),
                ValueKind::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(next) => node = next,
                None => return self.fail(span),
            }
            taken += 1;
        }
        let value = self.budget.used_at(node, span);
        self.apply_steps(value, &steps[taken..], span, ctx)
    }

    /// Applies traversal steps to a value: map keys, list indexes, splats; a reference to a
    /// whole resource grows its attribute path.
    fn apply_steps(&mut self, value: Value, steps: &'a [Step], span: Span, ctx: &mut Ctx) -> Value {
        let mut value = value;
        for (i, step) in steps.iter().enumerate() {
            value = match step {
                Step::Splat => {
                    let rest = &steps[i + 1..];
                    return match &value.kind {
                        ValueKind::List(items) => {
                            let items = items.clone();
                            let mapped = items
                                .into_iter()
                                .map(|v| self.apply_steps(v, rest, span, ctx))
                                .collect();
                            Value::new(ValueKind::List(mapped), span)
                        }
                        ValueKind::Null => Value::new(ValueKind::List(Vec::new()), span),
                        ValueKind::Unknown(_) | ValueKind::Ref(_) => {
                            unknown_with(refs_of([&value]), span)
                        }
                        _ => self.apply_steps(value.clone(), rest, span, ctx),
                    };
                }
                Step::Attr(name) => {
                    index_value(value, name, span, self).unwrap_or_else(|| self.fail(span))
                }
                Step::Index(e) => {
                    let key = self.eval(e, ctx);
                    match key.to_text() {
                        Some(k) => {
                            index_value(value, &k, span, self).unwrap_or_else(|| self.fail(span))
                        }
                        None => unknown_with(refs_of([&value, &key]), span),
                    }
                }
            };
        }
        value
    }

    pub fn variable(&mut self, instance: usize, name: &str) -> Value {
        Value::clone(&self.variable_shared(instance, name))
    }

    fn variable_shared(&mut self, instance: usize, name: &str) -> Rc<Value> {
        let key = (instance, name.to_string());
        match self.vars.get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => return Rc::new(unknown_nowhere()),
            None => {}
        }
        self.vars.insert(key.clone(), Slot::InProgress);
        let value = Rc::new(self.variable_uncached(instance, name));
        self.vars.insert(key, Slot::Done(value.clone()));
        value
    }

    fn variable_uncached(&mut self, instance: usize, name: &str) -> Value {
        let declared = self.module(instance).variables.get(name).copied();
        let value = self.variable_given(instance, name, declared);
        match declared.and_then(|b| b.body.expr("type")) {
            Some(ty) => self.conform(value, ty, instance, 0),
            None => value,
        }
    }

    /// A variable's value before its type applies: a module argument, a root value from tfvars
    /// or `--var-file`, or its default.
    fn variable_given(
        &mut self,
        instance: usize,
        name: &str,
        declared: Option<&'a Block>,
    ) -> Value {
        let fallback = declared.map_or(Span::new(crate::span::FileId(0), 0..0), |b| b.header);
        // A module argument, or a root value from tfvars / --var-file.
        if let (Some((parent, iteration)), Some(call)) = (
            self.instances[instance].call.clone(),
            self.instances[instance].call_block,
        ) {
            let parent_module = self.module(parent);
            if let Some(block) = parent_module.module_calls.get(call)
                && let Some(arg) = block.body.expr(name)
            {
                let mut ctx = Ctx::new(parent, iteration);
                return self.eval(arg, &mut ctx);
            }
        } else if instance == 0
            && let Some(v) = self.root_values.get(name)
        {
            return v.clone();
        }
        match declared.and_then(|b| b.body.expr("default")) {
            Some(default) => {
                let mut ctx = Ctx::new(instance, Iteration::None);
                self.eval(default, &mut ctx)
            }
            None => Value::unknown(fallback),
        }
    }

    /// `value` with the defaults of the type constraint `ty`, as Terraform converts it: an
    /// attribute that an `object({...})` type declares `optional(T, default)` and that the value
    /// leaves out or sets to null takes the default (itself converted to `T`), and
    /// `optional(T)` takes null; through `map`, `list` and `set`. Anything else is left as it
    /// is, unknown values included.
    fn conform(&mut self, value: Value, ty: &'a Expr, instance: usize, depth: usize) -> Value {
        let ExprKind::Call { name, args, .. } = &ty.kind else {
            return value;
        };
        if depth >= MAX_TYPE_DEPTH {
            return value;
        }
        let Value { kind, span, origin } = value;
        let kind = match (name.as_str(), args.as_slice(), kind) {
            (
                "object",
                [
                    Expr {
                        kind: ExprKind::Object(fields),
                        ..
                    },
                ],
                ValueKind::Map(mut entries),
            ) => {
                for field in fields {
                    if let ObjectKey::Name(key) = &field.key {
                        self.conform_field(&mut entries, key, &field.value, instance, depth);
                    }
                }
                ValueKind::Map(entries)
            }
            ("map", [inner], ValueKind::Map(entries)) => ValueKind::Map(
                entries
                    .into_iter()
                    .map(|mut e| {
                        e.value = self.conform(e.value, inner, instance, depth + 1);
                        e
                    })
                    .collect(),
            ),
            ("list" | "set", [inner], ValueKind::List(items)) => ValueKind::List(
                items
                    .into_iter()
                    .map(|v| self.conform(v, inner, instance, depth + 1))
                    .collect(),
            ),
            (_, _, kind) => kind,
        };
        Value { kind, span, origin }
    }

    /// One attribute `key = declared` of an object type applied to `entries`: a given value is
    /// converted to its type, a missing or null optional one takes its default or null, and a
    /// missing required one is left out (Terraform rejects the value).
    fn conform_field(
        &mut self,
        entries: &mut Vec<Entry>,
        key: &str,
        declared: &'a Expr,
        instance: usize,
        depth: usize,
    ) {
        let (field_type, optional_default) = match &declared.kind {
            ExprKind::Call { name, args, .. } if name == "optional" => {
                (args.first(), Some(args.get(1)))
            }
            _ => (Some(declared), None),
        };
        let given = entries
            .iter()
            .rposition(|e| e.key == key && !e.value.is_null());
        let value = match (given, optional_default) {
            (Some(i), _) => std::mem::replace(&mut entries[i].value, unknown_nowhere()),
            (None, Some(Some(default))) => {
                self.eval(default, &mut Ctx::new(instance, Iteration::None))
            }
            (None, Some(None)) => Value::new(ValueKind::Null, declared.span),
            (None, None) => return,
        };
        let value = match field_type {
            Some(t) => self.conform(value, t, instance, depth + 1),
            None => value,
        };
        match given {
            Some(i) => entries[i].value = value,
            None => push_entry(
                entries,
                Entry {
                    key: key.to_string(),
                    span: None,
                    value,
                },
            ),
        }
    }

    pub fn local(&mut self, instance: usize, name: &str) -> Value {
        Value::clone(&self.local_shared(instance, name))
    }

    fn local_shared(&mut self, instance: usize, name: &str) -> Rc<Value> {
        let key = (instance, name.to_string());
        match self.locals.get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => return Rc::new(unknown_nowhere()),
            None => {}
        }
        let Some(attr) = self.module(instance).locals.get(name).copied() else {
            return Rc::new(unknown_nowhere());
        };
        self.locals.insert(key.clone(), Slot::InProgress);
        let mut ctx = Ctx::new(instance, Iteration::None);
        let value = Rc::new(self.eval(&attr.expr, &mut ctx));
        self.locals.insert(key, Slot::Done(value.clone()));
        value
    }

    /// The instances of a module call (none for a registry or git module).
    pub fn module_call_instances(&mut self, instance: usize, name: &str) -> Vec<usize> {
        let key = (instance, name.to_string());
        match self.module_instances.get(&key) {
            Some(Some(list)) => return list.clone(),
            Some(None) => return Vec::new(),
            None => {}
        }
        self.module_instances.insert(key.clone(), None);
        let list = self.instantiate(instance, name);
        self.module_instances.insert(key, Some(list.clone()));
        list
    }

    fn instantiate(&mut self, instance: usize, name: &str) -> Vec<usize> {
        let module = self.module(instance);
        let Some(&call_index) = module.module_index.get(name) else {
            return Vec::new();
        };
        let block = module.module_calls[call_index];
        let Some(&child) = module.children.get(name) else {
            return Vec::new();
        };
        if !module_source(block).is_some_and(is_local_source) {
            return Vec::new();
        }
        let depth = self.instances[instance].depth + 1;
        // Cycle guard: the child must not be an ancestor.
        let mut cursor = Some(instance);
        while let Some(i) = cursor {
            if self.instances[i].module == child {
                return Vec::new();
            }
            cursor = self.instances[i].call.as_ref().map(|(p, _)| *p);
        }
        if depth > MAX_MODULE_DEPTH {
            return Vec::new();
        }
        let iterations = self.iterations(instance, block);
        let mut out = Vec::new();
        for iteration in iterations {
            let key = iteration.address_key().unwrap_or_default();
            let mut call_path = self.instances[instance].call_path.clone();
            call_path.push(block.header);
            let prefix = format!("{}module.{name}{key}.", self.instances[instance].prefix);
            self.instances.push(Instance {
                module: child,
                parent: Some((instance, block.header)),
                call: Some((instance, iteration)),
                call_block: Some(call_index),
                prefix,
                call_path,
                depth,
            });
            out.push(self.instances.len() - 1);
        }
        out
    }

    /// The iterations `count` or `for_each` in `block` produce.
    fn iterations(&mut self, instance: usize, block: &'a Block) -> Vec<Iteration> {
        let body = &block.body;
        let mut ctx = Ctx::new(instance, Iteration::None);
        let bytes = block.span.len();
        let limit = self.loop_limit(bytes).min(self.instances_left);
        let iterations = if let Some(count) = body.expr("count") {
            let v = self.eval(count, &mut ctx);
            match number(&v) {
                Some(n) if n >= 0.0 && (n as usize) <= limit => (0..n as usize)
                    .map(|i| Iteration::Count(Value::new(ValueKind::Number(i as f64), count.span)))
                    .collect(),
                _ => vec![Iteration::Count(unknown_with(refs_of([&v]), count.span))],
            }
        } else if let Some(for_each) = body.expr("for_each") {
            let v = self.eval(for_each, &mut ctx);
            for_each_iterations(&v, for_each.span, limit)
        } else {
            self.instances_left = self.instances_left.saturating_sub(1);
            return vec![Iteration::None];
        };
        self.instances_left = self.instances_left.saturating_sub(iterations.len());
        self.count_loop(iterations.len(), bytes);
        iterations
    }

    /// How many times a loop may evaluate its body of `bytes`: see `MAX_INSTANCES` and
    /// `MAX_LOOPED_BYTES`.
    fn loop_limit(&self, bytes: usize) -> usize {
        let by_bytes = self.looped_bytes_left / bytes.max(1) as u64;
        MAX_INSTANCES.min(by_bytes.try_into().unwrap_or(usize::MAX))
    }

    fn count_loop(&mut self, iterations: usize, bytes: usize) {
        let looped = iterations as u64 * bytes.max(1) as u64;
        self.looped_bytes_left = self.looped_bytes_left.saturating_sub(looped);
    }

    /// Whether a `for` expression or a `dynamic` block may evaluate its body of `bytes` for
    /// each of `items`; counts them if so.
    pub fn take_loop(&mut self, items: usize, bytes: usize) -> bool {
        if items > self.loop_limit(bytes) {
            return false;
        }
        self.count_loop(items, bytes);
        true
    }

    fn module_reference(
        &mut self,
        name: &str,
        steps: &'a [Step],
        span: Span,
        ctx: &mut Ctx,
    ) -> Value {
        let instances = self.module_call_instances(ctx.instance, name);
        let module = self.module(ctx.instance);
        let Some(block) = module.module_call(name) else {
            return Value::unknown(span);
        };
        let keyed = block.body.expr("count").is_some() || block.body.expr("for_each").is_some();
        let (target, rest) = if keyed {
            match steps.first() {
                Some(Step::Index(e)) => {
                    let key = self.eval(e, ctx);
                    let found = instances.iter().copied().find(|&i| {
                        self.instances[i]
                            .call
                            .as_ref()
                            .is_some_and(|(_, it)| it.matches(&key))
                    });
                    let found = found.or_else(|| {
                        (instances.len() == 1 && !self.iteration_known(instances[0]))
                            .then(|| instances[0])
                    });
                    (found, &steps[1..])
                }
                _ => {
                    let instances = instances
                        .iter()
                        .map(|&i| {
                            let call = self.instances[i].call.as_ref();
                            (call.map_or(Iteration::None, |(_, it)| it.clone()), i)
                        })
                        .collect();
                    let counted = block.body.expr("count").is_some();
                    let whole = self.instances_value(counted, instances, span, |this, i, _| {
                        this.module_object(i, span)
                    });
                    return match whole {
                        Some(whole) => self.apply_steps(whole, steps, span, ctx),
                        None => Value::unknown(span),
                    };
                }
            }
        } else {
            (instances.first().copied(), steps)
        };
        let Some(target) = target else {
            return Value::unknown(span);
        };
        match rest.first() {
            Some(Step::Attr(output)) => {
                let value = self.output_shared(target, output);
                self.steps_into(&value, &rest[1..], span, ctx)
            }
            _ => {
                let object = self.module_object(target, span);
                self.apply_steps(object, rest, span, ctx)
            }
        }
    }

    fn iteration_known(&self, instance: usize) -> bool {
        self.instances[instance]
            .call
            .as_ref()
            .is_none_or(|(_, it)| it.is_known())
    }

    pub fn output(&mut self, instance: usize, name: &str) -> Value {
        Value::clone(&self.output_shared(instance, name))
    }

    fn output_shared(&mut self, instance: usize, name: &str) -> Rc<Value> {
        let key = (instance, name.to_string());
        match self.outputs.get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => return Rc::new(unknown_nowhere()),
            None => {}
        }
        let Some(block) = self.module(instance).output_index.get(name).copied() else {
            return Rc::new(unknown_nowhere());
        };
        let Some(expr) = block.body.expr("value") else {
            return Rc::new(Value::unknown(block.header));
        };
        self.outputs.insert(key.clone(), Slot::InProgress);
        let mut ctx = Ctx::new(instance, Iteration::None);
        let value = Rc::new(self.eval(expr, &mut ctx));
        self.outputs.insert(key, Slot::Done(value.clone()));
        value
    }

    /// The resources one `resource`/`data` block declares in an instance, allocated on first
    /// use (`None` while being expanded, to break cycles).
    pub fn expand(
        &mut self,
        instance: usize,
        data: bool,
        resource_type: &str,
        name: &str,
    ) -> Option<Vec<ResourceId>> {
        let key = (instance, data, resource_type.to_string(), name.to_string());
        if let Some(found) = self.expansions.get(&key) {
            return found.clone();
        }
        let block = self
            .module(instance)
            .resource_index
            .get(&(data, resource_type, name))
            .copied()?;
        self.expansions.insert(key.clone(), None);
        let iterations = self.iterations(instance, block);
        let mut ids = Vec::new();
        for iteration in iterations {
            let address = format!(
                "{}{}{resource_type}.{name}{}",
                self.instances[instance].prefix,
                if data { "data." } else { "" },
                iteration.address_key().unwrap_or_default()
            );
            self.model.resources.push(Resource {
                resource_type: resource_type.to_string(),
                address,
                name: Value::unknown(block.header),
                name_written: None,
                mode: if data {
                    ResourceMode::Existing
                } else {
                    ResourceMode::Managed
                },
                span: block.header,
                body: Value::new(ValueKind::Null, block.span),
                resource_group: None,
                call_path: self.instances[instance].call_path.clone(),
            });
            self.infos.push(ResourceInfo {
                instance,
                block,
                iteration,
                unknown_dynamic: Vec::new(),
            });
            ids.push(self.model.resources.len() - 1);
        }
        self.expansions.insert(key, Some(ids.clone()));
        Some(ids)
    }

    fn resource_reference(
        &mut self,
        data: bool,
        resource_type: &'a str,
        name: &'a str,
        steps: &'a [Step],
        span: Span,
        ctx: &mut Ctx,
    ) -> Value {
        let text = self.text(span).to_string();
        let Some(ids) = self.expand(ctx.instance, data, resource_type, name) else {
            return unknown_with(
                vec![Ref {
                    resource: None,
                    text: text.into(),
                    attribute: attribute_path(steps, &mut |_| None).into(),
                    secret: false,
                }],
                span,
            );
        };
        let block = self.module(ctx.instance).resource_index[&(data, resource_type, name)];
        let keyed = block.body.expr("count").is_some() || block.body.expr("for_each").is_some();
        let (target, rest) = if keyed {
            match steps.first() {
                Some(Step::Index(e)) => {
                    let key = self.eval(e, ctx);
                    let found = ids
                        .iter()
                        .copied()
                        .find(|&id| self.infos[id].iteration.matches(&key))
                        .or_else(|| {
                            (ids.len() == 1 && !self.infos[ids[0]].iteration.is_known())
                                .then(|| ids[0])
                        });
                    (found, &steps[1..])
                }
                _ => {
                    let instances = ids
                        .iter()
                        .map(|&id| (self.infos[id].iteration.clone(), id))
                        .collect();
                    let counted = block.body.expr("count").is_some();
                    // Each instance is referenced as `type.name[key]`; the steps that follow
                    // (`[*].id`) extend that text as they are applied.
                    let prefix = if data { "data." } else { "" };
                    let whole = self.instances_value(counted, instances, span, |this, id, it| {
                        let key = it.address_key().unwrap_or_default();
                        let text = format!("{prefix}{resource_type}.{name}{key}");
                        this.resource_attribute(id, &[], text, span, ctx)
                    });
                    match whole {
                        Some(whole) => return self.apply_steps(whole, steps, span, ctx),
                        None => (None, steps),
                    }
                }
            }
        } else {
            (ids.first().copied(), steps)
        };
        let Some(target) = target else {
            let mut eval_index = |_: &Expr| None;
            return unknown_with(
                vec![Ref {
                    resource: None,
                    text: text.into(),
                    attribute: attribute_path(rest, &mut eval_index).into(),
                    secret: rest.first().is_some_and(|s| match s {
                        Step::Attr(a) => is_secret_attribute(resource_type, a, data),
                        _ => false,
                    }),
                }],
                span,
            );
        };
        self.resource_attribute(target, rest, text, span, ctx)
    }

    /// A `count` or `for_each` block named without an index (`for k, sa in
    /// azurerm_storage_account.sa`, `azurerm_subnet.s[*].id`, `values(module.app)`): the list or
    /// map of its instances, each given by `value`; `None` when an instance's key is not known.
    fn instances_value(
        &mut self,
        counted: bool,
        instances: Vec<(Iteration, usize)>,
        span: Span,
        mut value: impl FnMut(&mut Self, usize, &Iteration) -> Value,
    ) -> Option<Value> {
        let mut items = Vec::new();
        let mut entries = Vec::new();
        for (iteration, instance) in instances {
            let key = match &iteration {
                Iteration::Count(index) => index.to_text(),
                Iteration::Each { key, .. } => key.as_str().map(str::to_string),
                Iteration::None => None,
            }?;
            let value = value(self, instance, &iteration);
            if counted {
                items.push(value);
            } else {
                entries.push(Entry {
                    key,
                    span: None,
                    value,
                });
            }
        }
        let kind = if counted {
            ValueKind::List(items)
        } else {
            ValueKind::Map(entries)
        };
        Some(Value::new(kind, span))
    }

    /// A module instance named as a whole: the object of its outputs.
    fn module_object(&mut self, instance: usize, span: Span) -> Value {
        let outputs = &self.module(instance).outputs;
        let entries = outputs
            .iter()
            .map(|block| {
                let name = block.label(0);
                let value = self.output_shared(instance, name);
                Entry {
                    key: name.to_string(),
                    span: None,
                    value: self.budget.used_at(&value, span),
                }
            })
            .collect();
        Value::new(ValueKind::Map(entries), span)
    }

    /// `steps` applied to a declared resource: a configured argument, a synthesized id, or a
    /// reference to a computed attribute.
    fn resource_attribute(
        &mut self,
        target: ResourceId,
        steps: &'a [Step],
        text: String,
        span: Span,
        ctx: &mut Ctx,
    ) -> Value {
        let info_block = self.infos[target].block;
        let data = info_block.kind == "data";
        let resource_type = info_block.label(0);
        if let Some(Step::Attr(first)) = steps.first() {
            if let Some(attr) = info_block.body.attribute(first)
                && !matches!(
                    first.as_str(),
                    "count" | "for_each" | "depends_on" | "provider"
                )
            {
                let _ = attr;
                let configured = self.configured_shared(target, first);
                let value = self.budget.used_at(&configured, span);
                // A credential argument set from something unknown (`azurerm_key_vault_secret`'s
                // `value = var.x`) is still that resource's credential where it is read.
                if steps.len() == 1
                    && !value.is_known()
                    && is_secret_attribute(resource_type, first, data)
                {
                    let mut refs = vec![Ref {
                        resource: Some(target),
                        text: text.into(),
                        attribute: first.as_str().into(),
                        secret: true,
                    }];
                    for r in value.refs() {
                        if !refs.contains(r) {
                            refs.push(r.clone());
                        }
                    }
                    return unknown_with(refs, span);
                }
                return self.apply_steps(value, &steps[1..], span, ctx);
            }
            if let Some(id) = self.synthesized(target, first, &text, span) {
                return self.apply_steps(id, &steps[1..], span, ctx);
            }
        }
        let mut eval_index = |e: &'a Expr| {
            let v = self.eval(e, &mut ctx.clone());
            v.to_text()
        };
        let attribute = attribute_path(steps, &mut eval_index);
        let plain: Vec<&str> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Attr(a) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        let secret = is_secret_attribute(resource_type, &plain.join("."), data);
        Value::new(
            ValueKind::Ref(Box::new(Ref {
                resource: Some(target),
                text: text.into(),
                attribute: attribute.into(),
                secret,
            })),
            span,
        )
    }

    /// The value of an argument set in a resource's block, evaluated once.
    pub fn configured(&mut self, target: ResourceId, name: &str) -> Value {
        Value::clone(&self.configured_shared(target, name))
    }

    /// The cached value of an argument of a resource, as written there.
    fn configured_shared(&mut self, target: ResourceId, name: &str) -> Rc<Value> {
        let key = (target, name.to_string());
        match self.attributes.get(&key) {
            Some(Slot::Done(v)) => return Rc::clone(v),
            Some(Slot::InProgress) => {
                return Rc::new(Value::unknown(self.infos[target].block.header));
            }
            None => {}
        }
        let block = self.infos[target].block;
        let Some(attr) = block.body.attribute(name) else {
            return Rc::new(Value::unknown(block.header));
        };
        self.attributes.insert(key.clone(), Slot::InProgress);
        let mut ctx = Ctx::new(
            self.infos[target].instance,
            self.infos[target].iteration.clone(),
        );
        let value = Rc::new(self.eval(&attr.expr, &mut ctx));
        self.attributes.insert(key, Slot::Done(Rc::clone(&value)));
        value
    }

    /// Ids Terraform computes but whose shape is known, so that scopes classify.
    fn synthesized(
        &mut self,
        target: ResourceId,
        attr: &str,
        text: &str,
        span: Span,
    ) -> Option<Value> {
        let block = self.infos[target].block;
        let data = block.kind == "data";
        let resource_type = block.label(0);
        let hole = |this: &Self| -> Part {
            let _ = this;
            Part::Hole(Box::new(unknown_with(
                vec![Ref {
                    resource: Some(target),
                    text: text.into(),
                    attribute: attr.into(),
                    secret: false,
                }],
                span,
            )))
        };
        let named = |this: &mut Self, key: &str| -> Part {
            if block.body.attribute(key).is_some() {
                let configured = this.configured_shared(target, key);
                let v = this.budget.used_at(&configured, span);
                match v.kind {
                    ValueKind::String(s) => return Part::Text(s),
                    ValueKind::Template(_) => return Part::Hole(Box::new(v)),
                    _ => {}
                }
            }
            hole(this)
        };
        let parts = match (resource_type, attr, data) {
            ("azurerm_role_definition", "id" | "role_definition_id", true) => {
                let name = self.configured(target, "name");
                let role = name.as_str().and_then(crate::data::builtin_role_by_name)?;
                return Some(Value::string(
                    format!(
                        "/providers/Microsoft.Authorization/roleDefinitions/{}",
                        role.id
                    ),
                    span,
                ));
            }
            ("azurerm_subscription", "id", _) => vec![
                Part::Text("/subscriptions/".into()),
                named(self, "subscription_id"),
            ],
            ("azurerm_resource_group", "id", _) => vec![
                Part::Text("/subscriptions/".into()),
                hole(self),
                Part::Text("/resourceGroups/".into()),
                named(self, "name"),
            ],
            ("azurerm_management_group", "id", _) => vec![
                Part::Text("/providers/Microsoft.Management/managementGroups/".into()),
                named(self, "name"),
            ],
            ("azurerm_role_definition", _, false) => return None,
            (t, "id", _) if t.starts_with("azurerm_") && !matches!(t, "azurerm_client_config") => {
                vec![
                    Part::Text("/subscriptions/".into()),
                    hole(self),
                    Part::Text("/resourceGroups/".into()),
                    named(self, "resource_group_name"),
                    Part::Text("/providers/".into()),
                    hole(self),
                    Part::Text("/".into()),
                    hole(self),
                    Part::Text("/".into()),
                    named(self, "name"),
                ]
            }
            _ => return None,
        };
        let mut out = Vec::new();
        for part in parts {
            match part {
                Part::Text(t) => push_text(&mut out, &t),
                Part::Hole(v) => append_to_template(&mut out, *v),
            }
        }
        Some(finish_template(out, span))
    }

    fn call(
        &mut self,
        name: &str,
        args: &'a [Expr],
        expand_final: bool,
        span: Span,
        ctx: &mut Ctx,
    ) -> Value {
        match (name, args) {
            ("try", _) if !expand_final => return self.try_call(args, span, ctx),
            ("can", [arg]) if !expand_final => return self.can_call(arg, span, ctx),
            _ => {}
        }
        let mut values: Vec<Value> = args.iter().map(|a| self.eval(a, ctx)).collect();
        if expand_final && let Some(last) = values.pop() {
            match last.kind {
                ValueKind::List(items) => values.extend(items),
                _ => return unknown_with(refs_of([&last]), span),
            }
        }
        super::functions::call(name, values, span, &self.budget).unwrap_or_else(|| self.fail(span))
    }

    /// `try(a, b, ...)`: the first argument whose evaluation does not fail. An argument that is
    /// only unknown (a variable without a value) is the result, unknown, as at plan time: it is
    /// not a failure to fall back from.
    fn try_call(&mut self, args: &'a [Expr], span: Span, ctx: &mut Ctx) -> Value {
        let outer = std::mem::take(&mut self.failed);
        for arg in args {
            let value = self.eval(arg, ctx);
            if !std::mem::take(&mut self.failed) {
                self.failed = outer;
                return value.used_at(span);
            }
        }
        // Every argument failed, and so does `try`.
        self.failed = true;
        Value::unknown(span)
    }

    /// `can(x)`: false when evaluating `x` fails, true when it does not and `x` is known;
    /// unknown otherwise, as at plan time (what is unknown could still fail).
    fn can_call(&mut self, arg: &'a Expr, span: Span, ctx: &mut Ctx) -> Value {
        let outer = std::mem::take(&mut self.failed);
        let value = self.eval(arg, ctx);
        let failed = std::mem::replace(&mut self.failed, outer);
        if failed {
            Value::new(ValueKind::Bool(false), span)
        } else if super::functions::fully_known(&value) {
            Value::new(ValueKind::Bool(true), span)
        } else {
            unknown_with(refs_of([&value]), span)
        }
    }

    fn fail(&mut self, span: Span) -> Value {
        self.failed = true;
        Value::unknown(span)
    }
}

fn attribute_path<'a>(
    steps: &'a [Step],
    eval_index: &mut dyn FnMut(&'a Expr) -> Option<String>,
) -> String {
    steps
        .iter()
        .map(|s| match s {
            Step::Attr(a) => a.clone(),
            Step::Index(e) => match &e.kind {
                ExprKind::Number(n) => crate::model::value::format_number(*n),
                ExprKind::String(s) => s.clone(),
                _ => eval_index(e).unwrap_or_else(|| "*".into()),
            },
            Step::Splat => "*".into(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `value[key]` or `value.key`; a reference grows its attribute path.
/// An unknown value with no place of its own: a cycle, or a name that is not declared.
fn unknown_nowhere() -> Value {
    Value::unknown(Span::new(crate::span::FileId(0), 0..0))
}

fn index_value(value: Value, key: &str, span: Span, ev: &Evaluator) -> Option<Value> {
    let value = match value.kind {
        ValueKind::Map(entries) => entries.into_iter().rev().find(|e| e.key == key)?.value,
        ValueKind::List(items) => key
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i))?
            .clone(),
        ValueKind::Ref(mut r) => {
            let data = r
                .resource
                .is_some_and(|id| ev.infos[id].block.kind == "data");
            r.attribute = if r.attribute.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", r.attribute)
            }
            .into();
            r.text = format!("{}.{key}", r.text).into();
            if let Some(id) = r.resource {
                let plain: Vec<&str> = r
                    .attribute
                    .split('.')
                    .filter(|s| s.parse::<usize>().is_err())
                    .collect();
                r.secret = is_secret_attribute(ev.infos[id].block.label(0), &plain.join("."), data);
            }
            Value::new(ValueKind::Ref(r), span)
        }
        ValueKind::Unknown(refs) => Value::new(ValueKind::Unknown(refs), span),
        _ => return None,
    };
    Some(value)
}

/// Adds an entry to a map under construction; a later key replaces an earlier one.
fn push_entry(entries: &mut Vec<Entry>, entry: Entry) {
    entries.retain(|e| e.key != entry.key);
    entries.push(entry);
}

/// The iterations of a `for_each` value; one of unknown key for more than `limit`.
pub fn for_each_iterations(v: &Value, span: Span, limit: usize) -> Vec<Iteration> {
    match &v.kind {
        ValueKind::Map(entries) if entries.len() <= limit => {
            let mut sorted: Vec<&Entry> = entries.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            sorted
                .into_iter()
                .map(|e| Iteration::Each {
                    key: Value::string(e.key.clone(), e.span.unwrap_or(span)),
                    value: e.value.clone(),
                })
                .collect()
        }
        ValueKind::List(items)
            if items.len() <= limit && items.iter().all(|i| i.to_text().is_some()) =>
        {
            let mut keys: Vec<&Value> = items.iter().collect();
            keys.sort_by_key(|v| v.to_text());
            keys.dedup_by_key(|v| v.to_text());
            keys.into_iter()
                .map(|k| {
                    let text = k.to_text().unwrap_or_default();
                    Iteration::Each {
                        key: Value::string(text.clone(), k.span),
                        value: Value {
                            kind: ValueKind::String(text),
                            span: k.span,
                            origin: k.origin,
                        },
                    }
                })
                .collect()
        }
        ValueKind::Null => Vec::new(),
        _ => {
            let unknown = unknown_with(refs_of([v]), span);
            vec![Iteration::Each {
                key: unknown.clone(),
                value: unknown,
            }]
        }
    }
}

pub fn number(v: &Value) -> Option<f64> {
    match &v.kind {
        ValueKind::Number(n) => Some(*n),
        ValueKind::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn contains_unknown(v: &Value) -> bool {
    match &v.kind {
        ValueKind::Unknown(_) | ValueKind::Ref(_) | ValueKind::Template(_) => true,
        ValueKind::List(items) => items.iter().any(contains_unknown),
        ValueKind::Map(entries) => entries.iter().any(|e| contains_unknown(&e.value)),
        _ => false,
    }
}

/// Equality of two known values, ignoring spans.
pub fn known_equal(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (ValueKind::List(x), ValueKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| known_equal(a, b))
        }
        (ValueKind::Map(x), ValueKind::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| {
                    y.iter()
                        .any(|f| f.key == e.key && known_equal(&e.value, &f.value))
                })
        }
        (ValueKind::Null, ValueKind::Null) => true,
        (ValueKind::Bool(x), ValueKind::Bool(y)) => x == y,
        (ValueKind::Number(x), ValueKind::Number(y)) => x == y,
        (ValueKind::String(x), ValueKind::String(y)) => x == y,
        (ValueKind::Number(_), ValueKind::String(_))
        | (ValueKind::String(_), ValueKind::Number(_)) => a.to_text() == b.to_text(),
        _ => false,
    }
}

pub fn push_text(out: &mut Vec<Part>, text: &str) {
    match out.last_mut() {
        Some(Part::Text(prev)) => prev.push_str(text),
        _ => out.push(Part::Text(text.to_string())),
    }
}

/// Appends a value to a template: known scalars as text, templates spliced, anything else as
/// a hole.
pub fn append_to_template(out: &mut Vec<Part>, v: Value) {
    match v.kind {
        ValueKind::String(ref s) => push_text(out, s),
        ValueKind::Number(_) | ValueKind::Bool(_) => {
            push_text(out, &v.to_text().unwrap_or_default())
        }
        ValueKind::Template(parts) => {
            for part in parts {
                match part {
                    Part::Text(t) => push_text(out, &t),
                    hole => out.push(hole),
                }
            }
        }
        _ => out.push(Part::Hole(Box::new(v))),
    }
}

pub fn finish_template(out: Vec<Part>, span: Span) -> Value {
    match out.as_slice() {
        [] => Value::string("", span),
        [Part::Text(t)] => Value::string(t.clone(), span),
        _ => Value::new(ValueKind::Template(out), span),
    }
}
