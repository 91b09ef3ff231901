//! `path:line:col: severity: message [CODE]`, one per line: the editors' problem-matcher format.

use std::fmt::Write;

use super::{Position, printable};
use crate::check::CheckResult;

pub fn render(result: &CheckResult) -> String {
    let mut out = String::new();
    for finding in &result.findings {
        let file = result.sources.get(finding.span().file);
        let pos = Position::of(file, finding.span());
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {} [{}]",
            printable(&file.display),
            pos.line,
            pos.column,
            finding.severity.as_str(),
            printable(&finding.diagnostic.message),
            finding.code
        );
    }
    out
}
