//! Parsing `.tf`, `.tfvars` and `.tf.json` into [`ast`](super::ast), with spans, and reading
//! suppression comments.
//!
//! hcl-edit rejects two shapes Terraform accepts (a line break after a binary operator where
//! hcl-edit does not allow one, and duplicate keys in object constructors). On exactly those
//! parser errors the text is rewritten without changing its length and parsed again, so every
//! byte offset stays valid.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::expr::{self as hx, Expression, TraversalOperator};
use hcl_edit::structure::{self as hs, BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::{Decorate, Span as _};

use super::ast::*;
use super::prescan::{
    Key, MAX_OBJECT_ITEMS, Syntax as ItemSyntax, ends_with_operator, key_at, keys_written_again,
    object_wider_than, operator_line_breaks, starts_with_operator, too_wide_object,
};
use crate::diagnostic::{Diagnostic, Label};
use crate::span::{FileId, Span};
use crate::suppress::{self, Suppression};

/// How many times one file may be rewritten and parsed again.
const MAX_FIXES: usize = 256;

/// How many times a file with a wide object may be parsed again after every line break around
/// an operator was joined at once: its parse takes up to 1.5 s.
const MAX_FIXES_WHEN_WIDE: usize = 8;

/// A parsed file: its body and the suppression comments in it.
#[derive(Debug, Default)]
pub struct Parsed {
    pub body: Body,
    pub suppressions: Vec<Suppression>,
}

/// How a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `.tf`, `.tfvars`
    Hcl,
    /// `.tf.json`: block types keyed by name.
    Json,
    /// `terraform.tfvars.json`, `*.auto.tfvars.json`, a `--var-file` ending in `.json`: one
    /// object whose members are the variables' values.
    JsonValues,
}

impl Syntax {
    /// As Terraform decides it: by the file name's ending.
    pub fn of(path: &std::path::Path, kind: crate::source::FileKind) -> Syntax {
        use crate::source::FileKind;
        let json_name = path.extension().is_some_and(|e| e == "json");
        match kind {
            FileKind::TerraformJson => Syntax::Json,
            FileKind::TerraformVars if json_name => Syntax::JsonValues,
            _ => Syntax::Hcl,
        }
    }
}

/// Parses one file; a syntax error is an `IDL001` diagnostic at the parser's location.
pub fn parse(
    file: FileId,
    text: &str,
    syntax: Syntax,
    display: &str,
) -> Result<Parsed, Box<Diagnostic>> {
    match syntax {
        Syntax::Hcl => parse_hcl(file, text, display),
        Syntax::Json | Syntax::JsonValues => parse_json(file, text, syntax, display),
    }
}

fn invalid(
    file: FileId,
    text: &str,
    offset: usize,
    message: &str,
    display: &str,
) -> Box<Diagnostic> {
    not_checked(
        file,
        text,
        offset,
        format!("the file cannot be parsed: {message}"),
        "fix the syntax error; idlint checks nothing else in this file until it parses",
        display,
    )
}

/// An `IDL001` at the character at `offset`.
fn not_checked(
    file: FileId,
    text: &str,
    offset: usize,
    message: String,
    help: &str,
    display: &str,
) -> Box<Diagnostic> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = text[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    Box::new(
        Diagnostic::new(
            message,
            Label::new(Span::new(file, offset..end), "here"),
            display,
        )
        .with_help(help),
    )
}

fn parse_hcl(file: FileId, text: &str, display: &str) -> Result<Parsed, Box<Diagnostic>> {
    if let Some(open) = too_wide_object(text, ItemSyntax::Native) {
        return Err(not_checked(
            file,
            text,
            open,
            format!(
                "the file is not checked: this object has more than {MAX_OBJECT_ITEMS} items, \
                 and the HCL parser takes time in the square of an object's items (80000 \
                 items: 44 s)"
            ),
            "split the object into smaller ones joined with `merge()`, or move the data into a \
             JSON file read with `jsondecode(file(...))`",
            display,
        ));
    }
    let (body, renames) = parse_tolerant(text).map_err(|rejected| {
        let mut message = rejected.error.message().replace('\n', " ");
        if let Some(why) = &rejected.gave_up {
            message = format!("{message} ({why})");
        }
        invalid(
            file,
            text,
            rejected.error.location().offset(),
            &message,
            display,
        )
    })?;
    let mut converter = HclConverter {
        file,
        text,
        renames: &renames,
        suppressions: Vec::new(),
        offset: 0,
        fixed: None,
    };
    let body = converter.body(&body);
    Ok(Parsed {
        body,
        suppressions: converter.suppressions,
    })
}

/// Why a text is not parsed: the parser's error where it stopped and, when idlint stopped
/// mending the text before the parser took it, why.
#[derive(Debug)]
pub struct Rejected {
    pub error: hcl_edit::parser::Error,
    pub gave_up: Option<String>,
}

impl Rejected {
    fn by(error: hcl_edit::parser::Error) -> Rejected {
        Rejected {
            error,
            gave_up: None,
        }
    }
}

/// Parses `text`, rewriting the two shapes hcl-edit wrongly rejects. Returns the body and the
/// placeholder keys that stand for duplicate object keys.
pub fn parse_tolerant(text: &str) -> Result<(hs::Body, HashMap<String, String>), Rejected> {
    parse_joining(text, |source| {
        object_wider_than(source, ItemSyntax::Native, JOIN_AT_ONCE_ITEMS).is_some()
    })
}

/// [`parse_tolerant`], joining every line break after or before an operator at the first that
/// the parser rejects where `at_once` says so of the text.
fn parse_joining(
    text: &str,
    at_once: impl Fn(&str) -> bool,
) -> Result<(hs::Body, HashMap<String, String>), Rejected> {
    let mut renames = HashMap::new();
    // Built at the first key written twice: most files have none, and finding a text's words
    // hashes every one of them.
    let mut placeholders = None;
    let mut current: Option<Vec<u8>> = None;
    let mut fixes = 0;
    // Whether the keys written twice have been renamed all at once: at the first the parser
    // stops at, whatever was mended before it.
    let mut keys_renamed = false;
    // Whether to join every line break around an operator at once: decided at the first the
    // parser rejects, and done then.
    let mut join_all: Option<bool> = None;
    // Whether every line break was joined at once, in a file with a wide object: the parses
    // after it are counted from there.
    let mut wide = false;
    loop {
        let source = match &current {
            Some(bytes) => std::str::from_utf8(bytes).unwrap_or(text),
            None => text,
        };
        let error = match hcl_edit::parser::parse_body(source) {
            Ok(body) => return Ok((body, renames)),
            Err(error) => error,
        };
        // In a file with a wide object, where each parse is slow, the few rejections left
        // after every line break was joined (those in a heredoc inside a heredoc's
        // interpolation) are fixed up to a few: 250 of them took 100 s at 15,000 items.
        if wide && fixes >= MAX_FIXES_WHEN_WIDE {
            let gave_up = format!(
                "in a file with an object of more than {JOIN_AT_ONCE_ITEMS} items, idlint mends at most {MAX_FIXES_WHEN_WIDE} line breaks the parser rejects after joining every line break around an operator at once"
            );
            return Err(Rejected {
                error,
                gave_up: Some(gave_up),
            });
        }
        if fixes == MAX_FIXES {
            return Err(Rejected::by(error));
        }
        let mut bytes = source.as_bytes().to_vec();
        let offset = error.location().offset();
        let fixed = if error.message().contains("redefined object key") {
            // The parser stops at the first key written twice. The first time, every key that
            // the lexer finds written twice is renamed at once: a file is not parsed again for
            // each (256 such keys at the end of an object of 5,000 items took 19 s).
            let mut renamed = false;
            if !keys_renamed {
                for again in keys_written_again(source) {
                    renamed |= rename_duplicate_key(
                        source,
                        &mut bytes,
                        again,
                        &mut renames,
                        placeholders.get_or_insert_with(|| Placeholders::new(text)),
                    );
                }
                keys_renamed = true;
            }
            renamed
                || rename_duplicate_key(
                    source,
                    &mut bytes,
                    offset,
                    &mut renames,
                    placeholders.get_or_insert_with(|| Placeholders::new(text)),
                )
        } else {
            let joined = join_operator_line(&mut bytes, offset);
            // In a file with a wide object, where each parse is slow, every line break after
            // or before an operator from here on is joined now, not one per parse (250 of them
            // in an object of 15,000 items took 95 s). Elsewhere only those the parser rejects
            // are, one at a time.
            if joined && *join_all.get_or_insert_with(|| at_once(source)) {
                for line_break in operator_line_breaks(source, offset) {
                    blank(&mut bytes[line_break]);
                }
                join_all = Some(false);
                wide = true;
                fixes = 0;
            }
            joined
        };
        if !fixed {
            return Err(Rejected::by(error));
        }
        fixes += 1;
        current = Some(bytes);
    }
}

/// In a file with an object of more items, every line break after or before an operator is
/// joined at the first that the parser rejects: parsing it once more costs 4 ms at 1,000
/// items, and 1.5 s at 20,000 (the parser takes time in the square of an object's items).
const JOIN_AT_ONCE_ITEMS: usize = 1_000;

/// A line break after a binary operator (or before one), inside a `for` expression or another
/// place where hcl-edit does not expect it: blanks the line breaks and comments in between.
fn join_operator_line(bytes: &mut [u8], offset: usize) -> bool {
    if offset > bytes.len() {
        return false;
    }
    let end = skip_gap(bytes, offset);
    // Before: the operator, then horizontal space up to the error.
    if ends_with_operator(trim_end_spaces(&bytes[..offset])) {
        if bytes[offset..end].contains(&b'\n') {
            blank(&mut bytes[offset..end]);
            return true;
        }
        return false;
    }
    // Or the operator starts the next line, at the error or after the blanks there.
    if starts_with_operator(&bytes[end..]) {
        let mut start = offset;
        while start > 0 && matches!(bytes[start - 1], b' ' | b'\t' | b'\r' | b'\n') {
            start -= 1;
        }
        if bytes[start..end].contains(&b'\n') {
            blank(&mut bytes[start..end]);
            return true;
        }
    }
    false
}

fn trim_end_spaces(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    &bytes[..end]
}

/// The end of the whitespace and comments starting at `start`.
fn skip_gap(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
            }
            _ => break,
        }
    }
    i
}

/// Replaces every byte with a space: line breaks and comments become blanks of the same length
/// (a multi-byte character becomes several spaces, which keeps the text valid UTF-8).
fn blank(bytes: &mut [u8]) {
    bytes.iter_mut().for_each(|b| *b = b' ');
}

/// Renames the object key at `offset` of `source` (a later duplicate) in `bytes`, its copy, to a
/// unique placeholder of the same length, remembered in `renames` so the evaluator maps it back
/// and the last value wins.
fn rename_duplicate_key(
    source: &str,
    bytes: &mut [u8],
    offset: usize,
    renames: &mut HashMap<String, String>,
    placeholders: &mut Placeholders,
) -> bool {
    let Some((key, written)) = key_at(source, offset) else {
        return false;
    };
    let original = match key {
        Key::Name(name) => name.to_string(),
        Key::Quoted(value) => value.into_owned(),
    };
    let Some(placeholder) = placeholders.next(written.len()) else {
        return false;
    };
    bytes[written].copy_from_slice(placeholder.as_bytes());
    let original = renames.get(&original).cloned().unwrap_or(original);
    renames.insert(placeholder, original);
    true
}

/// Keys that occur nowhere in a text as a whole word (so neither as a quoted string): `___`,
/// `a__`, ... of each length, each handed out once.
struct Placeholders<'t> {
    /// The text's words: found once, so that each placeholder does not read the whole text.
    /// Placeholders written into the text since are handed out only once; renamed keys stay
    /// here, which only passes over a few candidates.
    taken: std::collections::HashSet<&'t [u8]>,
    /// For each length, the next candidate to try.
    next: HashMap<usize, usize>,
}

impl<'t> Placeholders<'t> {
    fn new(text: &'t str) -> Placeholders<'t> {
        let is_word = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
        Placeholders {
            taken: text
                .as_bytes()
                .split(|b| !is_word(b))
                .filter(|word| !word.is_empty())
                .collect(),
            next: HashMap::new(),
        }
    }

    /// A key of `len` bytes, not handed out before.
    fn next(&mut self, len: usize) -> Option<String> {
        const ALPHABET: &[u8] = b"_abcdefghijklmnopqrstuvwxyz0123456789";
        if len == 0 {
            return None;
        }
        let next = self.next.entry(len).or_default();
        while *next < 20_000 {
            let mut n = *next;
            *next += 1;
            let mut candidate = vec![b'_'; len];
            for slot in candidate.iter_mut().rev() {
                *slot = ALPHABET[n % ALPHABET.len()];
                n /= ALPHABET.len();
            }
            if n > 0 {
                return None;
            }
            if candidate[0].is_ascii_digit() || self.taken.contains(candidate.as_slice()) {
                continue;
            }
            return String::from_utf8(candidate).ok();
        }
        None
    }
}

struct HclConverter<'a> {
    file: FileId,
    text: &'a str,
    renames: &'a HashMap<String, String>,
    suppressions: Vec<Suppression>,
    /// For templates parsed out of JSON strings: where the template text starts in the file.
    offset: usize,
    /// For templates from JSON strings with escapes, whose inner offsets do not map: the span
    /// every node gets.
    fixed: Option<Span>,
}

impl HclConverter<'_> {
    fn span(&self, range: Option<Range<usize>>, fallback: Span) -> Span {
        if let Some(fixed) = self.fixed {
            return fixed;
        }
        match range {
            Some(r) => Span::new(self.file, r.start + self.offset..r.end + self.offset),
            None => fallback,
        }
    }

    fn name(&self, key: &str) -> String {
        self.renames
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    fn body(&mut self, body: &hs::Body) -> Body {
        let mut out = Body::default();
        let whole = Span::new(self.file, 0..0);
        for structure in body.iter() {
            let span = self.span(structure.span(), whole);
            self.suppressions_above(structure, span);
            match structure {
                Structure::Attribute(attr) => {
                    let expr = self.expr(&attr.value, span);
                    out.attributes.push(Attribute {
                        name: attr.key.as_str().to_string(),
                        span,
                        expr,
                    });
                }
                Structure::Block(block) => {
                    let header_end = block
                        .labels
                        .last()
                        .and_then(|l| l.span())
                        .or_else(|| block.ident.span())
                        .map_or(span.end, |r| r.end as u32 + self.offset as u32);
                    let header = Span {
                        file: self.file,
                        start: span.start,
                        end: header_end.max(span.start),
                    };
                    let labels = block
                        .labels
                        .iter()
                        .map(|l| match l {
                            BlockLabel::Ident(i) => i.as_str().to_string(),
                            BlockLabel::String(s) => s.as_str().to_string(),
                        })
                        .collect();
                    let inner = self.body(&block.body);
                    out.blocks.push(Block {
                        kind: block.ident.as_str().to_string(),
                        labels,
                        header,
                        span,
                        body: inner,
                    });
                }
            }
        }
        out
    }

    /// Suppression comments in the lines right above a structure (its decor prefix).
    fn suppressions_above(&mut self, structure: &Structure, target: Span) {
        if let Some(prefix) = structure.decor().prefix() {
            self.suppressions_in(prefix, target.start as usize, target);
        }
    }

    /// Suppression comments in `prefix`, the text that ends at `end` right before `target`.
    fn suppressions_in(&mut self, prefix: &str, end: usize, target: Span) {
        if !prefix.contains("idlint:") || self.fixed.is_some() || self.offset != 0 {
            return;
        }
        let start = end.saturating_sub(prefix.len());
        // The prefix is the text just before the node; check it really is.
        if self.text.get(start..end) != Some(prefix) {
            return;
        }
        let mut line_start = start;
        for line in prefix.split_inclusive('\n') {
            let trimmed = line.trim();
            if let Some((rules, reason)) = suppress::parse_comment(trimmed) {
                let lead = line.len() - line.trim_start().len();
                let begin = line_start + lead;
                self.suppressions.push(Suppression {
                    comment: Span::new(self.file, begin..begin + trimmed.len()),
                    rules,
                    reason,
                    target,
                });
            }
            line_start += line.len();
        }
    }

    fn expr(&mut self, expr: &Expression, fallback: Span) -> Expr {
        let span = self.span(expr.span(), fallback);
        let kind = match expr {
            Expression::Null(_) => ExprKind::Null,
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Number(n) => ExprKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => ExprKind::String(s.value().clone()),
            Expression::Array(items) => {
                ExprKind::List(items.iter().map(|e| self.expr(e, span)).collect())
            }
            Expression::Object(object) => ExprKind::Object(self.object(object, span)),
            Expression::StringTemplate(t) => self.template(t, span),
            Expression::HeredocTemplate(h) => self.template(&h.template, span),
            Expression::Parenthesis(p) => return self.expr(p.inner(), span),
            Expression::Variable(v) => ExprKind::Variable(v.as_str().to_string()),
            Expression::Conditional(c) => ExprKind::Conditional(
                Box::new(self.expr(&c.cond_expr, span)),
                Box::new(self.expr(&c.true_expr, span)),
                Box::new(self.expr(&c.false_expr, span)),
            ),
            Expression::FuncCall(call) => {
                let mut name = String::new();
                for ns in &call.name.namespace {
                    name.push_str(ns.as_str());
                    name.push_str("::");
                }
                name.push_str(call.name.name.as_str());
                ExprKind::Call {
                    name,
                    args: call.args.iter().map(|e| self.expr(e, span)).collect(),
                    expand_final: call.args.expand_final(),
                }
            }
            Expression::Traversal(t) => {
                let base = self.expr(&t.expr, span);
                let steps = t
                    .operators
                    .iter()
                    .map(|op| match op.value() {
                        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                            Step::Splat
                        }
                        TraversalOperator::GetAttr(name) => Step::Attr(name.as_str().to_string()),
                        TraversalOperator::Index(e) => Step::Index(self.expr(e, span)),
                        TraversalOperator::LegacyIndex(i) => Step::Index(Expr {
                            kind: ExprKind::Number(*i.value() as f64),
                            span: self.span(op.span(), span),
                        }),
                    })
                    .collect();
                ExprKind::Traversal(Box::new(base), steps)
            }
            Expression::UnaryOp(op) => {
                let inner = Box::new(self.expr(&op.expr, span));
                match op.operator.value() {
                    hx::UnaryOperator::Not => ExprKind::Not(inner),
                    hx::UnaryOperator::Neg => ExprKind::Negate(inner),
                }
            }
            Expression::BinaryOp(op) => {
                use hx::BinaryOperator as B;
                let kind = match op.operator.value() {
                    B::Eq => BinaryOp::Eq,
                    B::NotEq => BinaryOp::NotEq,
                    B::LessEq => BinaryOp::LessEq,
                    B::GreaterEq => BinaryOp::GreaterEq,
                    B::Less => BinaryOp::Less,
                    B::Greater => BinaryOp::Greater,
                    B::Plus => BinaryOp::Plus,
                    B::Minus => BinaryOp::Minus,
                    B::Mul => BinaryOp::Mul,
                    B::Div => BinaryOp::Div,
                    B::Mod => BinaryOp::Mod,
                    B::And => BinaryOp::And,
                    B::Or => BinaryOp::Or,
                };
                ExprKind::Binary(
                    kind,
                    Box::new(self.expr(&op.lhs_expr, span)),
                    Box::new(self.expr(&op.rhs_expr, span)),
                )
            }
            Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
                value_var: f.intro.value_var.as_str().to_string(),
                collection: self.expr(&f.intro.collection_expr, span),
                key: f.key_expr.as_ref().map(|k| self.expr(k, span)),
                value: self.expr(&f.value_expr, span),
                condition: f.cond.as_ref().map(|c| self.expr(&c.expr, span)),
                grouping: f.grouping,
            })),
        };
        Expr { kind, span }
    }

    fn object(&mut self, object: &hx::Object, span: Span) -> Vec<ObjectItem> {
        object
            .iter()
            .map(|(key, value)| {
                let key_span = self.span(key.span(), span);
                let value_expr = self.expr(value.expr(), span);
                let key_prefix = key.decor().prefix().map(|p| p.to_string());
                let key = match key {
                    hx::ObjectKey::Ident(ident) => ObjectKey::Name(self.name(ident.as_str())),
                    hx::ObjectKey::Expression(Expression::String(s)) => {
                        ObjectKey::Name(self.name(s.value()))
                    }
                    hx::ObjectKey::Expression(e) => ObjectKey::Expr(self.expr(e, span)),
                };
                let item_span = Span {
                    file: self.file,
                    start: key_span.start,
                    end: value_expr.span.end.max(key_span.end),
                };
                if let Some(prefix) = key_prefix {
                    self.suppressions_in(&prefix, key_span.start as usize, item_span);
                }
                ObjectItem {
                    key,
                    span: item_span,
                    value: value_expr,
                }
            })
            .collect()
    }

    fn template(&mut self, template: &Template, span: Span) -> ExprKind {
        let mut parts = Vec::new();
        self.template_parts(template, span, &mut parts);
        match parts.as_slice() {
            [] => ExprKind::String(String::new()),
            [TemplatePart::Literal(text)] => ExprKind::String(text.clone()),
            _ => ExprKind::Template(parts),
        }
    }

    fn template_parts(&mut self, template: &Template, span: Span, parts: &mut Vec<TemplatePart>) {
        for element in template.iter() {
            match element {
                Element::Literal(text) => match parts.last_mut() {
                    Some(TemplatePart::Literal(prev)) => prev.push_str(text.value()),
                    _ => parts.push(TemplatePart::Literal(text.value().clone())),
                },
                Element::Interpolation(i) => {
                    parts.push(TemplatePart::Interpolation(self.expr(&i.expr, span)))
                }
                Element::Directive(d) => {
                    let mut exprs = Vec::new();
                    let mut inner = Vec::new();
                    match d.as_ref() {
                        Directive::If(d) => {
                            exprs.push(self.expr(&d.if_expr.cond_expr, span));
                            self.template_parts(&d.if_expr.template, span, &mut inner);
                            if let Some(e) = &d.else_expr {
                                self.template_parts(&e.template, span, &mut inner);
                            }
                        }
                        Directive::For(d) => {
                            exprs.push(self.expr(&d.for_expr.collection_expr, span));
                            self.template_parts(&d.for_expr.template, span, &mut inner);
                        }
                    }
                    for part in inner {
                        match part {
                            TemplatePart::Interpolation(e) => exprs.push(e),
                            TemplatePart::Directive(es) => exprs.extend(es),
                            TemplatePart::Literal(_) => {}
                        }
                    }
                    parts.push(TemplatePart::Directive(exprs));
                }
            }
        }
    }
}

fn parse_json(
    file: FileId,
    text: &str,
    syntax: Syntax,
    display: &str,
) -> Result<Parsed, Box<Diagnostic>> {
    use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
    let result = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default())
        .map_err(|e| invalid(file, text, e.range().start, &e.kind().to_string(), display))?;
    let mut converter = JsonConverter {
        file,
        text,
        depth: 0,
    };
    let body = match &result.value {
        Some(jsonc_parser::ast::Value::Object(object)) if syntax == Syntax::JsonValues => {
            converter.body(object)
        }
        Some(jsonc_parser::ast::Value::Object(object)) => converter.top(object),
        Some(other) => {
            return Err(invalid(
                file,
                text,
                range(other).start,
                "a Terraform JSON file must hold an object",
                display,
            ));
        }
        None => Body::default(),
    };
    Ok(Parsed {
        body,
        suppressions: Vec::new(),
    })
}

fn range(value: &jsonc_parser::ast::Value) -> Range<usize> {
    use jsonc_parser::ast::Value as J;
    let r = match value {
        J::StringLit(v) => v.range,
        J::NumberLit(v) => v.range,
        J::BooleanLit(v) => v.range,
        J::Object(v) => v.range,
        J::Array(v) => v.range,
        J::NullKeyword(v) => v.range,
    };
    r.start..r.end
}

/// Deeper JSON than this is not a Terraform configuration: its values become `null`.
const MAX_JSON_DEPTH: usize = 128;

struct JsonConverter<'a> {
    file: FileId,
    text: &'a str,
    depth: usize,
}

impl<'a> JsonConverter<'a> {
    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.file, r)
    }

    fn prop_span(&self, prop: &jsonc_parser::ast::ObjectProp) -> Span {
        self.span(prop.range.start..prop.range.end)
    }

    fn name_span(&self, prop: &jsonc_parser::ast::ObjectProp) -> Span {
        use jsonc_parser::ast::ObjectPropName;
        let r = match &prop.name {
            ObjectPropName::String(s) => s.range,
            ObjectPropName::Word(w) => w.range,
        };
        self.span(r.start..r.end)
    }

    /// The top-level object: block types keyed by name, with their labels nested inside.
    fn top(&mut self, object: &jsonc_parser::ast::Object) -> Body {
        let mut body = Body::default();
        for prop in &object.properties {
            let kind = prop.name.as_str();
            let labels = match kind {
                "resource" | "data" => 2,
                "variable" | "output" | "module" | "provider" => 1,
                "locals" | "terraform" => 0,
                _ => continue,
            };
            self.blocks(
                kind,
                &prop.value,
                labels,
                Vec::new(),
                prop,
                &mut body.blocks,
            );
        }
        body
    }

    fn blocks(
        &mut self,
        kind: &str,
        value: &jsonc_parser::ast::Value,
        labels_left: usize,
        labels: Vec<String>,
        header_prop: &jsonc_parser::ast::ObjectProp,
        out: &mut Vec<Block>,
    ) {
        use jsonc_parser::ast::Value as J;
        match value {
            J::Object(object) if labels_left > 0 => {
                for prop in &object.properties {
                    let mut labels = labels.clone();
                    labels.push(prop.name.as_str().to_string());
                    self.blocks(kind, &prop.value, labels_left - 1, labels, prop, out);
                }
            }
            J::Array(array) => {
                for item in &array.elements {
                    self.blocks(kind, item, labels_left, labels.clone(), header_prop, out);
                }
            }
            J::Object(object) => {
                let mut body = self.body(object);
                if kind == "variable"
                    && let Some(prop) = object.properties.iter().find(|p| p.name.as_str() == "type")
                    && let Some(ty) = self.variable_type(prop)
                    && let Some(attribute) = body.attributes.iter_mut().find(|a| a.name == "type")
                {
                    attribute.expr = ty;
                }
                if kind == "terraform" {
                    // `backend` is a block with one label.
                    if let Some(pos) = body.attributes.iter().position(|a| a.name == "backend") {
                        let attr = body.attributes.remove(pos);
                        if let ExprKind::Object(items) = attr.expr.kind {
                            for item in items {
                                if let ObjectKey::Name(name) = item.key {
                                    body.blocks.push(Block {
                                        kind: "backend".into(),
                                        labels: vec![name],
                                        header: item.span,
                                        span: item.span,
                                        body: Body::default(),
                                    });
                                }
                            }
                        }
                    }
                }
                out.push(Block {
                    kind: kind.to_string(),
                    labels,
                    header: self.name_span(header_prop),
                    span: self.prop_span(header_prop),
                    body,
                });
            }
            _ => {}
        }
    }

    fn body(&mut self, object: &jsonc_parser::ast::Object) -> Body {
        let mut body = Body::default();
        for prop in &object.properties {
            let name = prop.name.as_str();
            if name == "//" {
                continue;
            }
            let expr = self.value(&prop.value);
            body.attributes.push(Attribute {
                name: name.to_string(),
                span: self.prop_span(prop),
                expr,
            });
        }
        body
    }

    fn value(&mut self, value: &jsonc_parser::ast::Value) -> Expr {
        use jsonc_parser::ast::Value as J;
        let span = self.span(range(value));
        if self.depth >= MAX_JSON_DEPTH {
            return Expr {
                kind: ExprKind::Null,
                span,
            };
        }
        self.depth += 1;
        let kind = match value {
            J::StringLit(s) => self.string(s, span),
            J::NumberLit(n) => ExprKind::Number(n.value.parse().unwrap_or(f64::NAN)),
            J::BooleanLit(b) => ExprKind::Bool(b.value),
            J::NullKeyword(_) => ExprKind::Null,
            J::Array(a) => ExprKind::List(a.elements.iter().map(|e| self.value(e)).collect()),
            J::Object(o) => ExprKind::Object(
                o.properties
                    .iter()
                    .filter(|p| p.name.as_str() != "//")
                    .map(|p| ObjectItem {
                        key: ObjectKey::Name(p.name.as_str().to_string()),
                        span: self.prop_span(p),
                        value: self.value(&p.value),
                    })
                    .collect(),
            ),
        };
        self.depth -= 1;
        Expr { kind, span }
    }

    /// A JSON string is a template in Terraform's JSON syntax.
    fn string(&mut self, s: &jsonc_parser::ast::StringLit, span: Span) -> ExprKind {
        let value: &str = &s.value;
        if !value.contains("${") && !value.contains("%{") {
            return ExprKind::String(value.to_string());
        }
        // Too wide for the parser: as if it did not parse.
        if too_wide_object(value, ItemSyntax::Template).is_some() {
            return ExprKind::String(value.to_string());
        }
        let Ok(template) = hcl_edit::parser::parse_template(value) else {
            return ExprKind::String(value.to_string());
        };
        let renames = HashMap::new();
        self.inside(s, span, &renames).template(&template, span)
    }

    /// A variable's `type`, which Terraform's JSON syntax writes as a string holding the type
    /// expression (`"object({ name = optional(string) })"`), as HCL writes it bare.
    fn variable_type(&mut self, prop: &jsonc_parser::ast::ObjectProp) -> Option<Expr> {
        let jsonc_parser::ast::Value::StringLit(s) = &prop.value else {
            return None;
        };
        if too_wide_object(&s.value, ItemSyntax::Native).is_some() {
            return None;
        }
        let expression = hcl_edit::parser::parse_expr(&s.value).ok()?;
        let span = self.span(s.range.start..s.range.end);
        let renames = HashMap::new();
        Some(self.inside(s, span, &renames).expr(&expression, span))
    }

    /// A converter for HCL parsed out of the JSON string `s` at `span`. Offsets inside it map
    /// onto the file only when the string has no escapes; otherwise every node gets `span`.
    fn inside<'r>(
        &self,
        s: &jsonc_parser::ast::StringLit,
        span: Span,
        renames: &'r HashMap<String, String>,
    ) -> HclConverter<'r>
    where
        'a: 'r,
    {
        let raw = self
            .text
            .get(s.range.start + 1..s.range.end.saturating_sub(1));
        let (offset, fixed) = if raw == Some(&*s.value) {
            (s.range.start + 1, None)
        } else {
            (0, Some(span))
        };
        HclConverter {
            file: self.file,
            text: self.text,
            renames,
            suppressions: Vec::new(),
            offset,
            fixed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Parsed, Box<Diagnostic>> {
        parse(FileId(0), text, Syntax::Hcl, "main.tf")
    }

    #[test]
    fn line_break_after_operator_in_for_expression() {
        let text = "locals {\n  x = {\n    for l in local.ls :\n    l =>\n    local.enabled &&\n    anytrue(\n      [true]\n    )\n  }\n}\n";
        assert!(hcl_edit::parser::parse_body(text).is_err());
        let parsed = parse_text(text).expect("parses after the rewrite");
        let locals = &parsed.body.blocks[0];
        let x = locals.body.expr("x").unwrap();
        let ExprKind::For(f) = &x.kind else {
            panic!("for expression expected: {x:?}")
        };
        let ExprKind::Binary(BinaryOp::And, lhs, _) = &f.value.kind else {
            panic!("binary expected")
        };
        assert_eq!(&text[lhs.span.range()], "local.enabled");
    }

    #[test]
    fn line_break_before_operator_and_comment_after_one() {
        // The parser stops at the `?` of `z`, and at the line break before the `:`.
        let text = "x = {\n  for k in v : k => k == \"a\" || # why\n  k == \"b\"\n}\ny = {\n  for k in v : k => k\n  && true\n}\nz = {\n  for k in v : k => k\n  ? 1\n  : 2\n}\n";
        let parsed = parse_text(text).expect("parses");
        assert_eq!(parsed.body.attributes.len(), 3);
    }

    #[test]
    fn line_breaks_joined_at_once_parse_as_joined_one_at_a_time() {
        // Every fixture, and shapes of line breaks around operators: joining all of them at the
        // first the parser rejects must give the tree that joining only the rejected ones does.
        let fixtures = ignore::Walk::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"))
            .map(|entry| entry.unwrap().into_path())
            .filter(|path| path.extension().is_some_and(|e| e == "tf"))
            .map(|path| std::fs::read_to_string(path).unwrap());
        let shapes = [
            "x = [for v in l : v if v.a &&\n  v.b]\ny = (1 +\n 2)\n",
            "x = {\n  for k, v in m : k => v.a ||  # or\n  /* b */ v.b\n  if v.c\n  == 1\n}\n",
            "x = {\n  for k, v in m : k => v\n  ? 1\n  : 2\n}\ny = \"a -\nb\"\nz = <<EOT\n- a ||\n? b\nEOT\n",
            "x = [\n  1,\n  -2,\n  3\n  - 4,\n  <<EOT\n  a\n  EOT\n]\n# a ||\ny = { a = 1 }\n",
            "x = { for k in l : k =>\n  k }\ny = { a = 1, a = 2 }\nz = \"${a &&\n b}\"\n",
            "x = <<EOT\n%{ if a ||\n  b }yes:\n- c\n%{ endif }${d &&\n e}\n$${f ||\nEOT\ny = <<-EOT\n  g -\n  EOT\n",
        ];
        let mut joined = 0;
        for text in fixtures.chain(shapes.iter().map(|s| s.to_string())) {
            let one_at_a_time = parse_joining(&text, |_| false);
            let at_once = parse_joining(&text, |_| true);
            assert_eq!(
                one_at_a_time.is_ok(),
                at_once.is_ok(),
                "{text}\n{one_at_a_time:?}\n{at_once:?}"
            );
            if let (Ok((one_at_a_time, _)), Ok((at_once, _))) = (one_at_a_time, at_once) {
                assert_eq!(
                    hcl::Body::from(one_at_a_time),
                    hcl::Body::from(at_once),
                    "{text}"
                );
            }
            joined += usize::from(hcl_edit::parser::parse_body(&text).is_err());
        }
        assert!(joined >= 6, "{joined}");
    }

    #[test]
    fn duplicate_object_keys_keep_both_in_order_with_original_names() {
        let text = "a = {\n  name = 1\n  other = 2\n  name = 3\n  \"q\" = 4\n  \"q\" = 5\n  \"r\\u0041\" = 6\n  \"r\\u0041\" = 7\n}\n";
        let parsed = parse_text(text).expect("parses");
        let ExprKind::Object(items) = &parsed.body.attributes[0].expr.kind else {
            panic!()
        };
        let keys: Vec<&str> = items
            .iter()
            .map(|i| match &i.key {
                ObjectKey::Name(n) => n.as_str(),
                ObjectKey::Expr(_) => "?",
            })
            .collect();
        assert_eq!(keys, ["name", "other", "name", "q", "q", "rA", "rA"]);
        let third = &items[2];
        assert_eq!(&text[third.span.range()], "name = 3");
        assert_eq!(&text[third.value.span.range()], "3");
    }

    #[test]
    fn real_errors_stay_errors_at_the_parser_location() {
        let text = "resource \"a\" \"b\" {\n  x = \n}\n";
        let error = parse_text(text).unwrap_err();
        assert_eq!(error.primary.span.start, 25);
        assert_eq!(error.anchor, "main.tf");
        let duplicate_attribute = "a = 1\na = 2\n";
        let error = parse_text(duplicate_attribute).unwrap_err();
        assert_eq!(error.primary.span.start, 6);
    }

    #[test]
    fn suppressions_above_nested_structures() {
        let text =
            "resource \"a\" \"b\" {\n  # idlint:ignore AZ301 -- approved\n  role = \"Owner\"\n}\n";
        let parsed = parse_text(text).unwrap();
        let s = &parsed.suppressions[0];
        assert_eq!(
            &text[s.comment.range()],
            "# idlint:ignore AZ301 -- approved"
        );
        assert_eq!(&text[s.target.range()], "role = \"Owner\"");
        assert_eq!(s.rules, ["AZ301"]);
        let text = "a = {\n  // idlint:ignore AZ101 -- test value\n  \"K\" = \"v\"\n}\n";
        let parsed = parse_text(text).unwrap();
        let s = &parsed.suppressions[0];
        assert_eq!(
            &text[s.comment.range()],
            "// idlint:ignore AZ101 -- test value"
        );
        assert_eq!(&text[s.target.range()], "\"K\" = \"v\"");
    }

    #[test]
    fn json_templates_keep_offsets() {
        let text = r#"{"resource": {"azurerm_x": {"a": {"name": "rg-${var.env}"}}}}"#;
        let parsed = parse(FileId(0), text, Syntax::Json, "main.tf.json").unwrap();
        let block = &parsed.body.blocks[0];
        assert_eq!(block.labels, ["azurerm_x", "a"]);
        let ExprKind::Template(parts) = &block.body.expr("name").unwrap().kind else {
            panic!()
        };
        let TemplatePart::Interpolation(e) = &parts[1] else {
            panic!()
        };
        assert_eq!(&text[e.span.range()], "var.env");
        let error = parse(FileId(0), "{\"a\": ", Syntax::Json, "x.tf.json").unwrap_err();
        assert!(error.primary.span.start <= 6);
    }

    #[test]
    fn no_panic_on_truncated_input() {
        let text = include_str!("../../tests/fixtures/terraform/sample.tf");
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let _ = parse_text(&text[..end]);
            let _ = parse(FileId(0), &text[..end], Syntax::Json, "x.tf.json");
        }
    }
}
