//! The syntax the evaluator reads: one tree for HCL and `.tf.json`, every node with its span.

use std::sync::OnceLock;

use foldhash::HashMap;

use crate::span::Span;

/// The attributes and blocks of a file or block, in source order.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
    /// The place of the last attribute of each name, for a body of many attributes; built on
    /// the first lookup, once the parser is done with the body.
    by_name: OnceLock<HashMap<String, usize>>,
}

impl Body {
    /// The last attribute named `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        // A resource of 200,000 attributes took a minute when each of them was looked up by a
        // search of the others.
        if self.attributes.len() <= 16 {
            return self.attributes.iter().rev().find(|a| a.name == name);
        }
        let by_name = self.by_name.get_or_init(|| {
            let names = self.attributes.iter().enumerate();
            names.map(|(i, a)| (a.name.clone(), i)).collect()
        });
        by_name.get(name).map(|&i| &self.attributes[i])
    }

    pub fn expr(&self, name: &str) -> Option<&Expr> {
        self.attribute(name).map(|a| &a.expr)
    }

    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    /// The whole `name = value`.
    pub span: Span,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    /// The identifier and labels.
    pub header: Span,
    /// The whole block.
    pub span: Span,
    pub body: Body,
}

impl Block {
    pub fn label(&self, i: usize) -> &str {
        self.labels.get(i).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Template(Vec<TemplatePart>),
    List(Vec<Expr>),
    Object(Vec<ObjectItem>),
    Variable(String),
    Traversal(Box<Expr>, Vec<Step>),
    Call {
        name: String,
        args: Vec<Expr>,
        expand_final: bool,
    },
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
}

#[derive(Debug, Clone)]
pub enum TemplatePart {
    Literal(String),
    Interpolation(Expr),
    /// A `%{if}` or `%{for}` directive: not evaluated, but its expressions carry references.
    Directive(Vec<Expr>),
}

#[derive(Debug, Clone)]
pub struct ObjectItem {
    pub key: ObjectKey,
    /// The whole `key = value`.
    pub span: Span,
    pub value: Expr,
}

#[derive(Debug, Clone)]
pub enum ObjectKey {
    /// An identifier or a literal string.
    Name(String),
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub enum Step {
    Attr(String),
    Index(Expr),
    /// `.*` or `[*]`.
    Splat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Eq,
    NotEq,
    LessEq,
    GreaterEq,
    Less,
    Greater,
    Plus,
    Minus,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

#[derive(Debug, Clone)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    /// `Some` for an object `for`.
    pub key: Option<Expr>,
    pub value: Expr,
    pub condition: Option<Expr>,
    pub grouping: bool,
}

impl Expr {
    /// Calls `visit` on this expression and every expression inside it.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Template(parts) => {
                for part in parts {
                    match part {
                        TemplatePart::Literal(_) => {}
                        TemplatePart::Interpolation(e) => e.walk(visit),
                        TemplatePart::Directive(es) => es.iter().for_each(|e| e.walk(visit)),
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(|e| e.walk(visit)),
            ExprKind::Object(items) => items.iter().for_each(|item| {
                if let ObjectKey::Expr(k) = &item.key {
                    k.walk(visit);
                }
                item.value.walk(visit);
            }),
            ExprKind::Traversal(base, steps) => {
                base.walk(visit);
                for step in steps {
                    if let Step::Index(e) = step {
                        e.walk(visit);
                    }
                }
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.walk(visit)),
            ExprKind::Conditional(c, t, f) => {
                c.walk(visit);
                t.walk(visit);
                f.walk(visit);
            }
            ExprKind::Not(e) | ExprKind::Negate(e) => e.walk(visit),
            ExprKind::Binary(_, l, r) => {
                l.walk(visit);
                r.walk(visit);
            }
            ExprKind::For(f) => {
                f.collection.walk(visit);
                if let Some(k) = &f.key {
                    k.walk(visit);
                }
                f.value.walk(visit);
                if let Some(c) = &f.condition {
                    c.walk(visit);
                }
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Variable(_) => {}
        }
    }

    /// The leading names of a reference such as `var.x` or `azurerm_x.y.id`: the root variable
    /// and the attribute names that follow it directly.
    pub fn reference_path(&self) -> Option<(&str, Vec<&str>)> {
        match &self.kind {
            ExprKind::Variable(name) => Some((name, Vec::new())),
            ExprKind::Traversal(base, steps) => {
                let ExprKind::Variable(root) = &base.kind else {
                    return None;
                };
                let names = steps
                    .iter()
                    .map_while(|s| match s {
                        Step::Attr(a) => Some(a.as_str()),
                        _ => None,
                    })
                    .collect();
                Some((root, names))
            }
            _ => None,
        }
    }
}
