//! JSON (with comments) into a tree in which every node keeps its byte span. Strings borrow
//! from the text unless they hold escapes.

use std::borrow::Cow;

use jsonc_parser::ast;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::tokens::Token;
use jsonc_parser::{CollectOptions, ParseOptions, ScannerOptions};

use crate::span::{FileId, Span};

#[derive(Debug, Clone)]
pub struct Json<'t> {
    pub kind: JsonKind<'t>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum JsonKind<'t> {
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'t, str>),
    Array(Vec<Json<'t>>),
    Object(Vec<Member<'t>>),
}

/// One property of an object.
#[derive(Debug, Clone)]
pub struct Member<'t> {
    pub key: Cow<'t, str>,
    pub key_span: Span,
    /// The whole `"key": value` property.
    pub span: Span,
    pub value: Json<'t>,
}

/// Why a file is not valid JSON, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub message: String,
    pub offset: usize,
    /// Valid JSON, perhaps, but nested deeper than jsonc-parser reads.
    pub too_deep: bool,
}

impl JsonError {
    /// The message of the IDL001 for `what` (`the template`).
    pub fn describe(&self, what: &str) -> String {
        if self.too_deep {
            format!(
                "{what} nests objects and arrays deeper than idlint reads (256 objects or 512 arrays)"
            )
        } else {
            format!("{what} is not valid JSON: {}", self.message)
        }
    }
}

/// Parses `text` (comments and trailing commas allowed, as ARM accepts them).
pub fn parse(file: FileId, text: &str) -> Result<Json<'_>, JsonError> {
    // Building the tree straight from the tokens skips jsonc-parser's own AST, a third of the
    // parse time. Anything the direct path does not accept (an error, deep nesting) goes to
    // `parse_to_ast`, which decides and words the error.
    let mut direct = Direct::new(file, text);
    if let Some(json) = direct.document() {
        return Ok(json);
    }
    parse_to_ast(file, text)
}

const SCANNER_OPTIONS: ScannerOptions = ScannerOptions {
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// Below jsonc-parser's own limit (512 ranges, two per object level), so the fallback decides
/// every file this path gives up on.
const DIRECT_MAX_DEPTH: usize = 200;

/// A strict recursive-descent parser over jsonc-parser's scanner. It accepts a subset of what
/// `parse_to_ast` accepts with the same options, and builds the same tree that `convert` does.
struct Direct<'t> {
    file: FileId,
    scanner: jsonc_parser::Scanner<'t>,
    /// The elements and members of the open containers, moved into a vector of the exact size
    /// when a container closes: one allocation per container instead of one per doubling.
    elements: Vec<Json<'t>>,
    members: Vec<Member<'t>>,
}

impl<'t> Direct<'t> {
    fn new(file: FileId, text: &'t str) -> Direct<'t> {
        Direct {
            file,
            scanner: jsonc_parser::Scanner::new(text, &SCANNER_OPTIONS),
            elements: Vec::new(),
            members: Vec::new(),
        }
    }

    fn document(&mut self) -> Option<Json<'t>> {
        let first = self.next()?;
        let root = self.value(first, 0)?;
        match self.scan() {
            Ok(None) => Some(root),
            _ => None,
        }
    }

    /// The next token that is not a comment, `None` at the end, `Err` on a scan error.
    fn scan(&mut self) -> Result<Option<Token<'t>>, ()> {
        loop {
            match self.scanner.scan() {
                Ok(Some(Token::CommentLine(_) | Token::CommentBlock(_))) => continue,
                Ok(token) => return Ok(token),
                Err(_) => return Err(()),
            }
        }
    }

    /// The next token where one must follow: `None` at the end and on a scan error.
    fn next(&mut self) -> Option<Token<'t>> {
        self.scan().ok().flatten()
    }

    fn token_span(&self) -> Span {
        Span::new(
            self.file,
            self.scanner.token_start()..self.scanner.token_end(),
        )
    }

    fn spanning(&self, start: usize) -> Span {
        Span::new(self.file, start..self.scanner.token_end())
    }

    fn value(&mut self, token: Token<'t>, depth: usize) -> Option<Json<'t>> {
        let kind = match token {
            Token::String(s) => JsonKind::String(s),
            Token::Number(n) => number(n),
            Token::Boolean(b) => JsonKind::Bool(b),
            Token::Null => JsonKind::Null,
            Token::OpenBrace if depth < DIRECT_MAX_DEPTH => return self.object(depth + 1),
            Token::OpenBracket if depth < DIRECT_MAX_DEPTH => return self.array(depth + 1),
            _ => return None,
        };
        Some(Json {
            kind,
            span: self.token_span(),
        })
    }

    fn object(&mut self, depth: usize) -> Option<Json<'t>> {
        let start = self.scanner.token_start();
        let open = self.members.len();
        self.items(Token::CloseBrace, |parser, token| {
            let Token::String(key) = token else {
                return None;
            };
            let key_span = parser.token_span();
            let Token::Colon = parser.next()? else {
                return None;
            };
            let first = parser.next()?;
            let value = parser.value(first, depth)?;
            let span = parser.spanning(key_span.start as usize);
            parser.members.push(Member {
                key,
                key_span,
                span,
                value,
            });
            Some(())
        })?;
        Some(Json {
            kind: JsonKind::Object(self.members.split_off(open)),
            span: self.spanning(start),
        })
    }

    fn array(&mut self, depth: usize) -> Option<Json<'t>> {
        let start = self.scanner.token_start();
        let open = self.elements.len();
        self.items(Token::CloseBracket, |parser, token| {
            let element = parser.value(token, depth)?;
            parser.elements.push(element);
            Some(())
        })?;
        Some(Json {
            kind: JsonKind::Array(self.elements.split_off(open)),
            span: self.spanning(start),
        })
    }

    /// The comma-separated items of a container up to `close`, a trailing comma allowed:
    /// `item` reads each from its first token.
    fn items(
        &mut self,
        close: Token<'static>,
        mut item: impl FnMut(&mut Self, Token<'t>) -> Option<()>,
    ) -> Option<()> {
        // `close` is a bracket, a token without a value: its variant is all there is to compare.
        let closes =
            |token: &Token| std::mem::discriminant(token) == std::mem::discriminant(&close);
        let mut token = self.next()?;
        loop {
            if closes(&token) {
                return Some(());
            }
            item(self, token)?;
            token = match self.next()? {
                Token::Comma => self.next()?,
                token if closes(&token) => return Some(()),
                _ => return None,
            };
        }
    }
}

/// Whether the direct path took `text`. Panics when its tree differs from the one
/// `parse_to_ast` and `convert` build, or when it took a text `parse_to_ast` rejects: the check
/// of the `arm` fuzz target and of the tests.
#[doc(hidden)]
pub fn check_direct_path(text: &str) -> bool {
    let direct = Direct::new(FileId(0), text).document();
    match (direct, parse_to_ast(FileId(0), text)) {
        (Some(direct), Ok(full)) => {
            assert_eq!(format!("{direct:?}"), format!("{full:?}"), "{text}");
            true
        }
        (Some(_), Err(e)) => panic!("the direct path took a text parse_to_ast rejects ({e:?})"),
        (None, _) => false,
    }
}

fn number(text: &str) -> JsonKind<'_> {
    match text.parse::<f64>() {
        Ok(number) => JsonKind::Number(number),
        Err(_) => JsonKind::String(Cow::Borrowed(text)),
    }
}

fn parse_to_ast(file: FileId, text: &str) -> Result<Json<'_>, JsonError> {
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: SCANNER_OPTIONS.allow_single_quoted_strings,
        allow_hexadecimal_numbers: SCANNER_OPTIONS.allow_hexadecimal_numbers,
        allow_unary_plus_numbers: SCANNER_OPTIONS.allow_unary_plus_numbers,
        allow_bare_decimal_point_numbers: SCANNER_OPTIONS.allow_bare_decimal_point_numbers,
        allow_non_finite_numbers: SCANNER_OPTIONS.allow_non_finite_numbers,
        allow_extended_string_escapes: SCANNER_OPTIONS.allow_extended_string_escapes,
    };
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
            JsonError {
                message: lowercase_first(&e.kind().to_string()),
                offset: e.range().start.min(text.len()),
                too_deep: matches!(e.kind(), ParseErrorKind::NestingDepthExceeded),
            }
        })?;
    match parsed.value {
        Some(value) => Ok(convert(file, value)),
        None => Err(JsonError {
            message: "the file holds no JSON value".into(),
            offset: 0,
            too_deep: false,
        }),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn span(file: FileId, range: jsonc_parser::common::Range) -> Span {
    Span::new(file, range.start..range.end)
}

/// The parser bounds nesting (512 levels), which bounds this recursion too.
fn convert(file: FileId, value: ast::Value<'_>) -> Json<'_> {
    match value {
        ast::Value::StringLit(s) => Json {
            span: span(file, s.range),
            kind: JsonKind::String(s.value),
        },
        ast::Value::NumberLit(n) => Json {
            span: span(file, n.range),
            kind: number(n.value),
        },
        ast::Value::BooleanLit(b) => Json {
            span: span(file, b.range),
            kind: JsonKind::Bool(b.value),
        },
        ast::Value::NullKeyword(n) => Json {
            span: span(file, n.range),
            kind: JsonKind::Null,
        },
        ast::Value::Array(a) => Json {
            span: span(file, a.range),
            kind: JsonKind::Array(a.elements.into_iter().map(|v| convert(file, v)).collect()),
        },
        ast::Value::Object(o) => Json {
            span: span(file, o.range),
            kind: JsonKind::Object(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let (key, key_range) = match p.name {
                            ast::ObjectPropName::String(s) => (s.value, s.range),
                            ast::ObjectPropName::Word(w) => (Cow::Borrowed(w.value), w.range),
                        };
                        Member {
                            key,
                            key_span: span(file, key_range),
                            span: span(file, p.range),
                            value: convert(file, p.value),
                        }
                    })
                    .collect(),
            ),
        },
    }
}

impl<'t> Json<'t> {
    pub fn members(&self) -> &[Member<'t>] {
        match &self.kind {
            JsonKind::Object(members) => members,
            _ => &[],
        }
    }

    pub fn elements(&self) -> &[Json<'t>] {
        match &self.kind {
            JsonKind::Array(items) => items,
            _ => &[],
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.kind, JsonKind::Object(_))
    }

    /// The property named `key` (case-insensitive, as ARM reads property names; the last wins).
    pub fn member(&self, key: &str) -> Option<&Member<'t>> {
        self.members()
            .iter()
            .rev()
            .find(|m| m.key.eq_ignore_ascii_case(key))
    }

    pub fn get(&self, key: &str) -> Option<&Json<'t>> {
        self.member(key).map(|m| &m.value)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            JsonKind::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// The deployment scope a template's `$schema` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    ResourceGroup,
    Subscription,
    ManagementGroup,
    Tenant,
}

/// The level of a deployment template `$schema` URL, or `None` for any other schema.
pub fn schema_level(schema: &str) -> Option<Level> {
    let schema = schema.to_ascii_lowercase();
    let schema = schema.split('#').next().unwrap_or("").trim_end();
    let file = schema.rsplit('/').next()?;
    match file {
        "deploymenttemplate.json" => Some(Level::ResourceGroup),
        "subscriptiondeploymenttemplate.json" => Some(Level::Subscription),
        "managementgroupdeploymenttemplate.json" => Some(Level::ManagementGroup),
        "tenantdeploymenttemplate.json" => Some(Level::Tenant),
        _ => None,
    }
}

/// A cheap look at the text before parsing: the value of the first `"$schema"` property, when
/// it names a deployment template. Misses only files that escape the key or value.
pub fn sniff_level(text: &str) -> Option<Level> {
    let at = text.find("\"$schema\"")?;
    let rest = text.get(at + 9..)?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    schema_level(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_accepts_comments() {
        let text = "// c\n{ /* x */ \"a\": [1, \"two\", true, null], \"b\": {\"c\": 2.5},}";
        let json = parse(FileId(0), text).unwrap();
        let a = json.member("A").unwrap();
        assert_eq!(&text[a.key_span.range()], "\"a\"");
        assert_eq!(&text[a.span.range()], "\"a\": [1, \"two\", true, null]");
        assert_eq!(&text[a.value.elements()[1].span.range()], "\"two\"");
        assert!(matches!(
            json.get("b").unwrap().get("c").unwrap().kind,
            JsonKind::Number(n) if n == 2.5
        ));
    }

    /// [`check_direct_path`], which must not give up on a valid text unless it nests deeply.
    fn assert_same_as_parse_to_ast(text: &str) -> bool {
        let taken = check_direct_path(text);
        if !taken {
            let deep = text.contains(&"[".repeat(DIRECT_MAX_DEPTH))
                || text.contains(&"{\"a\":".repeat(DIRECT_MAX_DEPTH));
            let valid = parse_to_ast(FileId(0), text).is_ok();
            assert!(!valid || deep, "direct path gave up on valid {text}");
        }
        taken
    }

    #[test]
    fn direct_path_matches_parse_to_ast() {
        let valid = [
            "{}",
            "[]",
            " {\"a\": 1} ",
            "{\"a\": [1, 2,], \"b\": {\"c\": null,},}",
            "/* c */ {\"a\" /* c */ : // c\n \"x\\ny\"}",
            "{\"a\": -1.5e3, \"b\": 12345678901234567890}",
            "[true, false, null, \"\\u00e9\", 0]",
            "{\"a\": [1, {\"b\": [{}]}]}",
            "[1, /* x */ ]",
        ];
        for text in valid {
            assert!(assert_same_as_parse_to_ast(text), "{text}");
        }
        let invalid = [
            "{\"a\": 1 \"b\": 2}",
            "[1 2]",
            "{\"a\": 1,, }",
            "[1,,2]",
            "[,]",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{a: 1}",
            "{1: 1}",
            "{\"a\": 1}}",
            "[1]]",
            "[1} ",
            "{\"a\": 1]",
            "[] []",
            "",
            "// only a comment",
            "[01]",
            "[+1]",
            "[.5]",
            "[0x1]",
            "['a']",
            "[NaN]",
            "[Infinity]",
            "[undefined]",
            "[tru]",
            "\"\\x41\"",
            "[1 :]",
            "{\"a\" 1}",
            "[\"unterminated]",
            "/* open",
            "{}$",
            "[1] /* open",
            "{} 'x'",
        ];
        for text in invalid {
            assert!(!assert_same_as_parse_to_ast(text), "{text}");
        }
        for depth in [1, 199, 200, 201, 255, 256, 257, 400, 600] {
            let taken = depth <= DIRECT_MAX_DEPTH;
            let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(assert_same_as_parse_to_ast(&arrays), taken);
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            assert_eq!(assert_same_as_parse_to_ast(&objects), taken);
        }
        // Every JSON file of the fixtures, and of IDLINT_CORPUS_CHECK when set (as in
        // `IDLINT_CORPUS_CHECK=../shared/corpus cargo test --release direct_path`).
        let mut paths = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata"
        ))];
        paths.extend(std::env::var_os("IDLINT_CORPUS_CHECK").map(Into::into));
        while let Some(path) = paths.pop() {
            if path.is_dir() {
                paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "json")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                assert_same_as_parse_to_ast(text.trim_start_matches('\u{feff}'));
            }
        }
    }

    #[test]
    fn errors_carry_offsets() {
        let text = "{\n  \"a\": 1\n  \"b\": 2\n}";
        let err = parse(FileId(0), text).unwrap_err();
        assert_eq!(err.offset, text.find("\"b\"").unwrap() - 3);
        let err = parse(FileId(0), "{\"a\": }").unwrap_err();
        assert_eq!(err.offset, 6);
        assert!(parse(FileId(0), "").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse(FileId(0), &text).is_err());
        let text = "{\"a\":".repeat(50_000);
        assert!(parse(FileId(0), &text).is_err());
    }

    #[test]
    fn schema_levels() {
        let rg = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
        assert_eq!(schema_level(rg), Some(Level::ResourceGroup));
        assert_eq!(
            schema_level(
                "https://schema.management.azure.com/schemas/2018-05-01/SubscriptionDeploymentTemplate.json#"
            ),
            Some(Level::Subscription)
        );
        assert_eq!(
            schema_level(
                "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
            ),
            Some(Level::ManagementGroup)
        );
        assert_eq!(
            schema_level(
                "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json"
            ),
            Some(Level::Tenant)
        );
        assert_eq!(
            schema_level(
                "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
            ),
            None
        );
        assert_eq!(
            sniff_level(&format!("{{ \"$schema\" : \"{rg}\", \"x\": 1 }}")),
            Some(Level::ResourceGroup)
        );
        assert_eq!(sniff_level("{\"name\": \"package\"}"), None);
    }
}
