//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! One run. `tool.driver.rules` lists the rules that have at least one result (by code), so
//! the file stays proportional to what was found; `ruleIndex` points into that list. A rule's
//! help is its documentation (`rules/<CODE>-<name>.md`), with `helpUri` pointing at that file;
//! a rule without documentation gets its summary and a pointer to `idlint explain`.
//! Results carry `partialFingerprints["idlint/v1"]` (see [`crate::baseline`]), which survive
//! inserted lines and reformatting. No source text is embedded: messages are already redacted
//! and there are no snippets.
//!
//! GitHub's documented upload limits are respected: at most 25,000 results per run (the most
//! severe are kept, and a tool notification says how many were dropped) and at most
//! 100 related locations per result (GitHub displays no more; it rejects over 1,000 locations).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Position;
use crate::baseline::{FINGERPRINT_VERSION, fingerprints};
use crate::check::CheckResult;
use crate::diagnostic::{Finding, Severity};
use crate::rules::{self, RuleMeta};
use crate::source::SourceDb;
use crate::span::Span;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/idlint/idlint";
/// Rule docs in the repository, `rules/<CODE>-<name>.md`.
const DOCS_URI: &str = "https://github.com/idlint/idlint/blob/main/rules";
const SRCROOT: &str = "%SRCROOT%";

pub const MAX_RESULTS: usize = 25_000;
pub const MAX_RELATED_LOCATIONS: usize = 100;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 1],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    uri: &'a str,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

pub fn render(result: &CheckResult) -> String {
    let prints = fingerprints(&result.sources, &result.findings);
    let kept = keep_most_severe(&result.findings, MAX_RESULTS);
    let dropped = result.findings.len() - kept.len();

    let mut metas: Vec<(RuleInfo, Severity)> = Vec::new();
    for &i in &kept {
        let finding = &result.findings[i];
        if metas.iter().all(|(m, _)| m.code != finding.code) {
            metas.push((meta_of(finding), finding.severity));
        }
    }
    // Codes sort as the catalog does (`AZ…` by number, then `IDL…`), whatever the catalog holds.
    metas.sort_by_key(|(m, _)| m.code);

    let results = kept
        .iter()
        .map(|&i| {
            let finding = &result.findings[i];
            let rule_index = metas
                .iter()
                .position(|(m, _)| m.code == finding.code)
                .unwrap_or(0);
            sarif_result(&result.sources, finding, rule_index, prints[i].clone())
        })
        .collect();

    let notifications = if dropped > 0 {
        vec![Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{dropped} of {} results were left out: GitHub code scanning accepts at most {MAX_RESULTS} per run",
                    result.findings.len()
                ),
            },
        }]
    } else {
        Vec::new()
    };

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "idlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: metas.iter().map(|(m, s)| rule(m, *s)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// Indices of at most `limit` findings, the most severe first when some must go, in their
/// original order.
fn keep_most_severe(findings: &[Finding], limit: usize) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..findings.len()).collect();
    if indices.len() > limit {
        indices.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
        indices.truncate(limit);
        indices.sort_unstable();
    }
    indices
}

/// What the driver says about a rule.
#[derive(Clone, Copy)]
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    severity: Severity,
    docs: &'static str,
}

impl From<&RuleMeta> for RuleInfo {
    fn from(m: &RuleMeta) -> RuleInfo {
        RuleInfo {
            code: m.code,
            name: m.name,
            summary: m.summary,
            severity: m.severity,
            docs: m.docs,
        }
    }
}

/// The catalog entry of a finding's rule; a finding of a rule missing from the catalog keeps
/// its own code and name.
fn meta_of(finding: &Finding) -> RuleInfo {
    rules::all_metas().find(|m| m.code == finding.code).map_or(
        RuleInfo {
            code: finding.code,
            name: finding.name,
            summary: finding.name,
            severity: finding.severity,
            docs: "",
        },
        RuleInfo::from,
    )
}

fn rule(meta: &RuleInfo, severity: Severity) -> Rule {
    let summary = capitalized(meta.summary);
    let docs = meta.docs.trim();
    let (text, markdown) = if docs.is_empty() {
        let text = format!(
            "{summary}. Run `idlint explain {}` for the rule's documentation.",
            meta.code
        );
        (text.clone(), text)
    } else {
        (docs.to_string(), docs.to_string())
    };
    Rule {
        id: meta.code,
        name: meta.name,
        short_description: Text {
            text: summary.clone(),
        },
        full_description: Text {
            text: what_it_does(docs).unwrap_or(summary),
        },
        help_uri: (!docs.is_empty()).then(|| format!("{DOCS_URI}/{}-{}.md", meta.code, meta.name)),
        help: Help { text, markdown },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        properties: RuleProperties {
            tags: ["security"],
            security_severity: security_severity(severity),
            precision: "high",
            problem_severity: match severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "recommendation",
            },
        },
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The paragraph under the docs' "What it does" heading.
fn what_it_does(docs: &str) -> Option<String> {
    let mut lines = docs.lines();
    lines.find(|l| {
        l.starts_with('#')
            && l.trim_start_matches('#')
                .trim()
                .eq_ignore_ascii_case("what it does")
    })?;
    let paragraph: Vec<&str> = lines
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub maps these to high (7.0–8.9), medium (4.0–6.9) and low (0.1–3.9).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

fn sarif_result<'a>(
    sources: &'a SourceDb,
    finding: &Finding,
    rule_index: usize,
    fingerprint: String,
) -> SarifResult<'a> {
    let d = &finding.diagnostic;
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\n\nHelp: ");
        text.push_str(help);
    }
    let related_locations = d
        .secondary
        .iter()
        .take(MAX_RELATED_LOCATIONS)
        .enumerate()
        .map(|(i, label)| Location {
            id: Some(i + 1),
            physical_location: physical(sources, label.span),
            message: Some(label.message.clone())
                .filter(|m| !m.is_empty())
                .map(|text| Text { text }),
        })
        .collect();
    SarifResult {
        rule_id: finding.code,
        rule_index,
        level: level(finding.severity),
        message: Text { text },
        locations: [Location {
            id: None,
            physical_location: physical(sources, d.primary.span),
            message: None,
        }],
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_VERSION, fingerprint)]),
    }
}

fn physical(sources: &SourceDb, span: Span) -> PhysicalLocation<'_> {
    let file = sources.get(span.file);
    let pos = Position::of(file, span);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: &file.display,
            uri_base_id: SRCROOT,
        },
        region: Region {
            start_line: pos.line,
            start_column: pos.column,
            end_line: pos.end_line,
            end_column: pos.end_column,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_it_does_takes_the_first_paragraph() {
        let docs = "# AZ301 x\n\n## What it does\n\nReports Owner\nat broad scope.\n\nMore.\n\n## Why is this bad?\n";
        assert_eq!(
            what_it_does(docs).as_deref(),
            Some("Reports Owner at broad scope.")
        );
        assert_eq!(what_it_does("(placeholder)"), None);
    }

    #[test]
    fn rule_help_is_the_docs() {
        let info = RuleInfo {
            code: "AZ301",
            name: "privileged-role-at-broad-scope",
            summary: "a privileged role at broad scope",
            severity: Severity::Error,
            docs: "# AZ301\n\n## What it does\n\nReports Owner.\n",
        };
        let rule = rule(&info, Severity::Warning);
        assert_eq!(rule.help.markdown, info.docs.trim());
        assert_eq!(rule.full_description.text, "Reports Owner.");
        assert_eq!(
            rule.short_description.text,
            "A privileged role at broad scope"
        );
        assert_eq!(rule.default_configuration.level, "error");
        assert_eq!(rule.properties.security_severity, "5.0");
        assert_eq!(
            rule.help_uri.as_deref(),
            Some(
                "https://github.com/idlint/idlint/blob/main/rules/AZ301-privileged-role-at-broad-scope.md"
            )
        );
    }

    #[test]
    fn keeps_the_most_severe_in_order() {
        use crate::diagnostic::{Diagnostic, Label};
        use crate::span::FileId;
        let finding = |severity| Finding {
            code: "X",
            name: "x",
            severity,
            diagnostic: Diagnostic::new("m", Label::new(Span::new(FileId(0), 0..0), ""), ""),
        };
        let findings = vec![
            finding(Severity::Note),
            finding(Severity::Error),
            finding(Severity::Warning),
            finding(Severity::Error),
        ];
        assert_eq!(keep_most_severe(&findings, 3), vec![1, 2, 3]);
        assert_eq!(keep_most_severe(&findings, 10), vec![0, 1, 2, 3]);
    }
}
