//! `.idlint.hcl`: read with hcl-rs serde; errors get a span from hcl-edit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use hcl_edit::Span as _;
use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::rules::{self, RuleMeta};

pub const FILE_NAME: &str = ".idlint.hcl";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fail_on: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    rule: BTreeMap<String, RawRule>,
    #[serde(default, deserialize_with = "one_or_many")]
    ignore: Vec<RawIgnore>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    enabled: Option<bool>,
    severity: Option<String>,
    max_workloads: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: String,
    #[serde(default)]
    paths: Vec<String>,
    reason: String,
    expires: Option<String>,
}

/// One `ignore` block deserializes as a map, several as a sequence.
fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Many(items) => items,
        OneOrMany::One(item) => vec![item],
    })
}

/// A config-level ignore: findings of `rule` in files matching `paths` are dropped.
#[derive(Debug)]
pub struct Ignore {
    /// The `ignore` block in the config file.
    pub span: std::ops::Range<usize>,
    pub rule: &'static RuleMeta,
    pub paths: GlobSet,
    pub reason: String,
    /// `YYYY-MM-DD`; after that day the ignore no longer applies.
    pub expires: Option<String>,
}

/// The effective configuration.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub fail_on: Option<Option<Severity>>,
    pub exclude: Option<GlobSet>,
    pub disabled: Vec<&'static str>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub max_workloads: Option<usize>,
    pub ignores: Vec<Ignore>,
}

impl Config {
    /// The directory that `exclude` and `ignore` paths are relative to.
    pub fn base_dir(&self) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// `path` relative to the config's directory, with `/`, for matching globs.
    pub fn relative(&self, path: &Path) -> String {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let path = absolute(path);
        let base = absolute(&self.base_dir());
        let relative = path.strip_prefix(&base).unwrap_or(&path);
        relative.to_string_lossy().replace('\\', "/")
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|set| set.is_match(self.relative(path)))
    }
}

/// A config error with the byte range it concerns.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
    pub span: std::ops::Range<usize>,
    pub source: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = self.source[..self.span.start.min(self.source.len())]
            .matches('\n')
            .count()
            + 1;
        write!(f, "{}:{line}: {}", self.path.display(), self.message)
    }
}

/// The nearest `.idlint.hcl` from `dir` upwards.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let source = crate::source::read_text(path, "the config").map_err(|e| ConfigError {
        path: path.to_path_buf(),
        message: e,
        span: 0..0,
        source: String::new(),
    })?;
    parse(path, &source).map_err(|(message, span)| ConfigError {
        path: path.to_path_buf(),
        message,
        span,
        source: source.clone(),
    })
}

type Located = (String, std::ops::Range<usize>);

fn parse(path: &Path, source: &str) -> Result<Config, Located> {
    let body = hcl_edit::parser::parse_body(source).map_err(|e| {
        (
            e.message().to_string(),
            e.location().offset()..e.location().offset(),
        )
    })?;
    let raw: RawConfig = match hcl::from_str(source) {
        Ok(raw) => raw,
        Err(error) => return Err(locate_error(source, &body, error.to_string())),
    };
    let key_span = |key: &str, label: Option<&str>| -> std::ops::Range<usize> {
        body.iter()
            .find(|s| match s {
                hcl_edit::structure::Structure::Attribute(a) => a.key.as_str() == key,
                hcl_edit::structure::Structure::Block(b) => {
                    b.ident.as_str() == key
                        && label.is_none_or(|l| b.labels.iter().any(|x| x.as_str() == l))
                }
            })
            .and_then(|s| s.span())
            .unwrap_or(0..0)
    };
    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    if let Some(fail_on) = raw.fail_on {
        config.fail_on = Some(match fail_on.as_str() {
            "never" => None,
            other => Some(Severity::parse(other).ok_or_else(|| {
                (
                    format!("`fail_on` must be error, warning, note or never, not `{other}`"),
                    key_span("fail_on", None),
                )
            })?),
        });
    }
    if !raw.exclude.is_empty() {
        config.exclude = Some(globs(&raw.exclude).map_err(|m| (m, key_span("exclude", None)))?);
    }
    for (key, rule) in raw.rule {
        let span = key_span("rule", Some(&key));
        let meta =
            rules::find(&key).ok_or_else(|| (rules::unknown_rule_message(&key), span.clone()))?;
        if rule.enabled == Some(false) {
            config.disabled.push(meta.code);
        }
        if let Some(severity) = rule.severity {
            let severity = Severity::parse(&severity).ok_or_else(|| {
                (
                    format!("`severity` must be error, warning or note, not `{severity}`"),
                    span.clone(),
                )
            })?;
            config.severity.insert(meta.code, severity);
        }
        if let Some(max) = rule.max_workloads {
            if meta.code != "AZ203" {
                return Err((
                    format!("`max_workloads` is an option of AZ203, not {}", meta.code),
                    span,
                ));
            }
            config.max_workloads = Some(max);
        }
    }
    let ignore_spans: Vec<std::ops::Range<usize>> = body
        .iter()
        .filter_map(|s| match s {
            hcl_edit::structure::Structure::Block(b) if b.ident.as_str() == "ignore" => b.span(),
            _ => None,
        })
        .collect();
    for (i, ignore) in raw.ignore.into_iter().enumerate() {
        let span = ignore_spans.get(i).cloned().unwrap_or(0..0);
        let rule = rules::find(&ignore.rule)
            .ok_or_else(|| (rules::unknown_rule_message(&ignore.rule), span.clone()))?;
        if ignore.reason.trim().is_empty() {
            return Err(("an `ignore` needs a non-empty `reason`".into(), span));
        }
        if let Some(expires) = &ignore.expires
            && !is_date(expires)
        {
            return Err((
                format!("`expires` must be a date as YYYY-MM-DD, not `{expires}`"),
                span,
            ));
        }
        let patterns = if ignore.paths.is_empty() {
            vec!["**".to_string()]
        } else {
            ignore.paths
        };
        config.ignores.push(Ignore {
            span: span.clone(),
            rule,
            paths: globs(&patterns).map_err(|m| (m, span.clone()))?,
            reason: ignore.reason,
            expires: ignore.expires,
        });
    }
    Ok(config)
}

/// Finds where a serde error lies: the top-level attribute or block that fails alone, and in
/// it the unknown key the message names.
fn locate_error(source: &str, body: &hcl_edit::structure::Body, message: String) -> Located {
    let culprit = body.iter().filter_map(|s| s.span()).find(|span| {
        source
            .get(span.clone())
            .is_some_and(|text| hcl::from_str::<RawConfig>(text).is_err())
    });
    let mut span = culprit.unwrap_or(0..0);
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        && let Some(at) = source
            .get(span.clone())
            .and_then(|text| find_key(text, field))
    {
        span = span.start + at..span.start + at + field.len();
    }
    (message, span)
}

/// The offset of `key` used as an attribute or block name in `text`.
fn find_key(text: &str, key: &str) -> Option<usize> {
    text.match_indices(key).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + key.len()..].trim_start().chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && matches!(after, Some('=' | '{' | '"'))
    })
}

fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?);
    }
    builder.build().map_err(|e| e.to_string())
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

/// Today's date as `YYYY-MM-DD` (UTC), for `expires`.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, Located> {
        parse(Path::new(".idlint.hcl"), text)
    }

    #[test]
    fn reads_every_setting() {
        let config = parse_str(
            r#"
fail_on = "error"
exclude = ["examples/**"]
rule "AZ301" {
  severity = "warning"
}
rule "AZ201" { enabled = false }
ignore {
  rule    = "AZ101"
  paths   = ["legacy/**"]
  reason  = "migrating to Key Vault"
  expires = "2027-01-01"
}
"#,
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(Some(Severity::Error)));
        assert!(config.exclude.unwrap().is_match("examples/a/main.tf"));
        assert_eq!(config.severity.get("AZ301"), Some(&Severity::Warning));
        assert_eq!(config.disabled, ["AZ201"]);
        assert_eq!(config.ignores.len(), 1);
        assert!(config.ignores[0].paths.is_match("legacy/x/main.tf"));
    }

    #[test]
    fn errors_point_at_the_offending_key() {
        let text =
            "fail_on = \"error\"\nrule \"AZ301\" {\n  severity = \"warning\"\n  colour = 1\n}\n";
        let (message, span) = parse_str(text).unwrap_err();
        assert!(message.contains("unknown field `colour`"), "{message}");
        assert_eq!(&text[span], "colour");
        let text = "rule \"AZ999\" { enabled = false }\n";
        let (message, span) = parse_str(text).unwrap_err();
        assert!(message.contains("unknown rule `AZ999`"));
        assert_eq!(&text[span], text.trim_end());
        let (message, _) = parse_str("fail_on = \"sometimes\"").unwrap_err();
        assert!(message.contains("fail_on"));
        let (_, span) = parse_str("exclude = [\"a\"]\nfail_on = 3\n").unwrap_err();
        assert_eq!(span, 16..27);
    }

    #[test]
    fn today_is_a_date() {
        assert!(is_date(&today()));
        assert!(today().as_str() > "2025-01-01");
    }
}
