//! The ARM template expression language: `[concat('a', parameters('b')).x[0]]`.

/// Expressions deeper than this are rejected: templates never come close, hostile input must
/// not exhaust the stack.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// A function call (user functions are `namespace.name`).
    Call(Function, Vec<Expr>),
    /// `.name`
    Prop(Box<Expr>, String),
    /// `[index]`
    Index(Box<Expr>, Box<Expr>),
}

/// A function's name as written, which the expression's text shows, and in lower case, by which
/// ARM looks it up: lowered once when parsed, not at every evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub written: String,
    pub lower: String,
}

impl Function {
    pub fn new(written: String) -> Function {
        let lower = written.to_ascii_lowercase();
        Function { written, lower }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub message: String,
    /// Byte offset in the expression text.
    pub offset: usize,
}

/// What a JSON string means to ARM.
#[derive(Debug, Clone, PartialEq)]
pub enum StringForm<'a> {
    Literal(&'a str),
    /// `[[...`: a literal that starts with `[`.
    Escaped(&'a str),
    /// The text between the brackets.
    Expression(&'a str),
}

pub fn classify(text: &str) -> StringForm<'_> {
    if text.starts_with("[[") {
        return StringForm::Escaped(&text[1..]);
    }
    let trimmed = text.trim_end();
    match trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(inner) => StringForm::Expression(inner),
        None => StringForm::Literal(text),
    }
}

/// Parses the text of an expression (without the outer brackets).
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    let mut parser = Parser {
        text: text.as_bytes(),
        src: text,
        pos: 0,
        depth: 0,
    };
    let expr = parser.expr()?;
    parser.skip_ws();
    if parser.pos < parser.text.len() {
        return Err(parser.error("unexpected text after the expression"));
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a [u8],
    src: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: &str) -> ExprError {
        ExprError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("the expression is nested too deeply"));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.enter()?;
        let saved = self.depth;
        let mut expr = self.primary()?;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    self.skip_ws();
                    let Some(name) = self.ident() else {
                        return Err(self.error("expected a name"));
                    };
                    self.enter()?;
                    expr = Expr::Prop(Box::new(expr), name.to_string());
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.enter()?;
                    let index = self.expr()?;
                    if !self.eat(b']') {
                        return Err(self.error("expected `]`"));
                    }
                    expr = Expr::Index(Box::new(expr), Box::new(index));
                }
                _ => break,
            }
        }
        self.depth = saved - 1;
        Ok(expr)
    }

    fn ident(&mut self) -> Option<&'a str> {
        let src = self.src;
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        {
            self.pos += 1;
        }
        let name = &src[start..self.pos];
        if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
            self.pos = start;
            return None;
        }
        Some(name)
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("expected an expression")),
            Some(b'\'') => self.string(),
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'+' => self.number(),
            Some(_) => {
                let start = self.pos;
                let Some(first) = self.ident() else {
                    return Err(self.error("unexpected character"));
                };
                let mut name = first.to_string();
                // A user-defined function: `namespace.name(`.
                let after_first = self.pos;
                if self.peek() == Some(b'.') {
                    self.pos += 1;
                    match self.ident().map(str::to_string) {
                        Some(second) if self.peek_after_ws() == Some(b'(') => {
                            name = format!("{name}.{second}");
                        }
                        _ => self.pos = after_first,
                    }
                }
                if self.eat(b'(') {
                    let mut args = Vec::new();
                    if !self.eat(b')') {
                        loop {
                            args.push(self.expr()?);
                            if self.eat(b')') {
                                break;
                            }
                            if !self.eat(b',') {
                                return Err(self.error("expected `,` or `)`"));
                            }
                        }
                    }
                    return Ok(Expr::Call(Function::new(name), args));
                }
                match name.to_ascii_lowercase().as_str() {
                    "true" => Ok(Expr::Bool(true)),
                    "false" => Ok(Expr::Bool(false)),
                    "null" => Ok(Expr::Null),
                    _ => {
                        self.pos = start;
                        Err(self.error("expected `(` after a function name"))
                    }
                }
            }
        }
    }

    fn peek_after_ws(&mut self) -> Option<u8> {
        let saved = self.pos;
        self.skip_ws();
        let c = self.peek();
        self.pos = saved;
        c
    }

    fn string(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(quote) = memchr::memchr(b'\'', &self.text[self.pos..]) else {
                self.pos = start;
                return Err(self.error("unterminated string"));
            };
            out.push_str(&self.src[self.pos..self.pos + quote]);
            self.pos += quote + 1;
            if self.peek() == Some(b'\'') {
                out.push('\'');
                self.pos += 1;
            } else {
                return Ok(Expr::Str(out));
            }
        }
    }

    fn number(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || c == b'.' || c == b'e' || c == b'E')
        {
            self.pos += 1;
        }
        self.src[start..self.pos]
            .parse::<f64>()
            .map(Expr::Num)
            .map_err(|_| ExprError {
                message: "invalid number".into(),
                offset: start,
            })
    }
}

impl Expr {
    /// The literal string argument, as `parameters('x')` takes.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The canonical text of the expression: what `Ref::text` shows.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.render(&mut out);
        out
    }

    // Pushes the pieces instead of going through `fmt`: `uniqueString(...)` and `guid(...)`
    // calls are rendered at every evaluation.
    fn render(&self, out: &mut String) {
        match self {
            Expr::Str(s) => {
                out.push('\'');
                for (i, piece) in s.split('\'').enumerate() {
                    if i > 0 {
                        out.push_str("''");
                    }
                    out.push_str(piece);
                }
                out.push('\'');
            }
            Expr::Num(n) => out.push_str(&crate::model::value::format_number(*n)),
            Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Expr::Null => out.push_str("null()"),
            Expr::Call(name, args) => {
                out.push_str(&name.written);
                out.push('(');
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    arg.render(out);
                }
                out.push(')');
            }
            Expr::Prop(base, name) => {
                base.render(out);
                out.push('.');
                out.push_str(name);
            }
            Expr::Index(base, index) => {
                base.render(out);
                out.push('[');
                index.render(out);
                out.push(']');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: Vec<Expr>) -> Expr {
        Expr::Call(Function::new(name.into()), args)
    }

    #[test]
    fn classifies_strings() {
        assert_eq!(classify("plain"), StringForm::Literal("plain"));
        assert_eq!(classify("[[not]"), StringForm::Escaped("[not]"));
        assert_eq!(classify("[f()]"), StringForm::Expression("f()"));
        assert_eq!(classify("[f()] "), StringForm::Expression("f()"));
        assert_eq!(classify("[open"), StringForm::Literal("[open"));
        assert_eq!(classify("[[[[[["), StringForm::Escaped("[[[[["));
    }

    #[test]
    fn parses_calls_strings_and_escapes() {
        assert_eq!(
            parse("concat('it''s', parameters( 'x' ), 1, -2.5, true)").unwrap(),
            call(
                "concat",
                vec![
                    Expr::Str("it's".into()),
                    call("parameters", vec![Expr::Str("x".into())]),
                    Expr::Num(1.0),
                    Expr::Num(-2.5),
                    Expr::Bool(true),
                ]
            )
        );
        assert_eq!(parse("''''").unwrap(), Expr::Str("'".into()));
        assert_eq!(parse("f()").unwrap(), call("f", vec![]));
    }

    #[test]
    fn parses_property_access_and_indexing() {
        let expr =
            parse("reference(variables('id'), '2020-01-01', 'Full').identity.principalId").unwrap();
        let Expr::Prop(base, name) = &expr else {
            panic!("{expr:?}")
        };
        assert_eq!(name, "principalId");
        assert!(matches!(&**base, Expr::Prop(_, n) if n == "identity"));
        let expr = parse("listKeys(x(), '1').keys[0].value").unwrap();
        assert_eq!(expr.text(), "listKeys(x(), '1').keys[0].value");
        let expr = parse("variables('m')[parameters('k')]").unwrap();
        assert!(matches!(expr, Expr::Index(_, _)));
        assert_eq!(
            parse("ns.fn('a')").unwrap(),
            call("ns.fn", vec![Expr::Str("a".into())])
        );
    }

    #[test]
    fn rejects_bad_expressions() {
        for bad in [
            "",
            "concat('a'",
            "'open",
            "f(,)",
            "f() g()",
            "noparens",
            "f().",
            "f()[1",
            "#",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let err = parse("concat('a' 'b')").unwrap_err();
        assert_eq!(err.offset, 11);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let deep = "f(".repeat(100_000);
        assert!(parse(&deep).is_err());
        let chain = format!("f(){}", ".a".repeat(100_000));
        assert!(parse(&chain).is_err());
        let index = format!("f(){}", "[0]".repeat(100_000));
        assert!(parse(&index).is_err());
        let ok = format!("{}1{}", "f(".repeat(60), ")".repeat(60));
        assert!(parse(&ok).is_ok());
    }
}
