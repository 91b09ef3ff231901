//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding.

use std::fmt::Write;

use super::Position;
use crate::check::CheckResult;
use crate::diagnostic::Severity;

pub fn render(result: &CheckResult) -> String {
    let mut out = String::new();
    for finding in &result.findings {
        let file = result.sources.get(finding.span().file);
        let pos = Position::of(file, finding.span());
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let message = finding.diagnostic.message_with_help();
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.display),
            pos.line,
            pos.column,
            pos.end_line,
            pos.end_column,
            escape_property(&format!("{} {}", finding.code, finding.name)),
            escape_data(&message),
        );
    }
    out
}

/// The message after `::`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property, where `:` and `,` are separators too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
