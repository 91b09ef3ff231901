//! Output formats, one small file each, selected by `--format`.

mod azure_devops;
mod compact;
mod github;
mod human;
mod json;
mod junit;
mod sarif;

use std::io::IsTerminal;

use clap::ValueEnum;

use crate::check::CheckResult;
use crate::diagnostic::{Finding, Severity};
use crate::rules;
use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Compact,
    Json,
    Sarif,
    Github,
    AzureDevops,
    Junit,
}

pub fn render(format: Format, result: &CheckResult, color: bool, quiet: bool) -> String {
    match format {
        Format::Human => human::render(result, color, quiet),
        Format::Compact => compact::render(result),
        Format::Json => json::render(result),
        Format::Sarif => sarif::render(result),
        Format::Github => github::render(result),
        Format::AzureDevops => azure_devops::render(result),
        Format::Junit => junit::render(result),
    }
}

/// An error in a file outside the scan (the config), as the human report shows a finding.
pub fn render_error(file: &SourceFile, range: std::ops::Range<usize>, title: String) -> String {
    human::render_error(file, range, title)
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`), for the formats read line by
/// line and on terminals. Names in messages and paths come from the scanned repository: a
/// resource named `"x\n::error::..."` would otherwise start a line that a GitHub runner takes as
/// a workflow command, and an escape sequence would drive the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Colour only on a terminal, and never with `NO_COLOR` set.
pub fn stdout_supports_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// One-based start and end (line, column) of a finding's primary span.
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Position {
    pub fn of(file: &SourceFile, span: crate::span::Span) -> Position {
        let (line, column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Counts by severity, for summaries.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut counts = Counts::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Note => counts.notes += 1,
            }
        }
        counts
    }
}

/// `idlint rules`: a table, or JSON.
pub fn rules_list(json: bool) -> String {
    let metas: Vec<_> = rules::all_metas().collect();
    if json {
        let rows: Vec<serde_json::Value> = metas
            .iter()
            .map(|m| {
                serde_json::json!({
                    "code": m.code,
                    "name": m.name,
                    "severity": m.severity.as_str(),
                    "summary": m.summary,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n";
    }
    let width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
    metas
        .iter()
        .map(|m| {
            format!(
                "{:<7} {:<width$}  {:<8} {}\n",
                m.code,
                m.name,
                m.severity.as_str(),
                m.summary
            )
        })
        .collect()
}
