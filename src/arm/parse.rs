//! JSON (with comments) into a tree in which every node keeps its byte span. Strings borrow
//! from the text unless they hold escapes.

use std::borrow::Cow;

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions};

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
}

/// Parses `text` (comments and trailing commas allowed, as ARM accepts them).
pub fn parse(file: FileId, text: &str) -> Result<Json<'_>, JsonError> {
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
            JsonError {
                message: lowercase_first(&e.kind().to_string()),
                offset: e.range().start.min(text.len()),
            }
        })?;
    match parsed.value {
        Some(value) => Ok(convert(file, value)),
        None => Err(JsonError {
            message: "the file holds no JSON value".into(),
            offset: 0,
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
            kind: match n.value.parse::<f64>() {
                Ok(number) => JsonKind::Number(number),
                Err(_) => JsonKind::String(Cow::Borrowed(n.value)),
            },
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
