//! The JSON report of SPEC §5.

use serde::Serialize;

use super::{Counts, Position};
use crate::check::CheckResult;

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
}

pub fn render(result: &CheckResult) -> String {
    let findings = result
        .findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            let file = result.sources.get(f.span().file);
            let pos = Position::of(file, f.span());
            let labels = d
                .secondary
                .iter()
                .map(|l| {
                    let file = result.sources.get(l.span.file);
                    let pos = Position::of(file, l.span);
                    JsonLabel {
                        message: &l.message,
                        path: &file.display,
                        line: pos.line,
                        column: pos.column,
                        end_line: pos.end_line,
                        end_column: pos.end_column,
                    }
                })
                .collect();
            JsonFinding {
                rule: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                path: &file.display,
                line: pos.line,
                column: pos.column,
                end_line: pos.end_line,
                end_column: pos.end_column,
                labels,
            }
        })
        .collect();
    let counts = Counts::of(&result.findings);
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        findings,
        summary: Summary {
            files: result.sources.iter().filter(|(_, f)| f.reported).count(),
            findings: result.findings.len(),
            errors: counts.errors,
            warnings: counts.warnings,
            notes: counts.notes,
        },
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}
