//! Azure Pipelines logging commands: one `##vso[task.logissue]` per finding. Azure has no
//! "note" issue type, so notes are warnings.

use std::fmt::Write;

use super::Position;
use crate::check::CheckResult;
use crate::diagnostic::Severity;

pub fn render(result: &CheckResult) -> String {
    let mut out = String::new();
    for finding in &result.findings {
        let file = result.sources.get(finding.span().file);
        let pos = Position::of(file, finding.span());
        let kind = match finding.severity {
            Severity::Error => "error",
            Severity::Warning | Severity::Note => "warning",
        };
        let message = finding.diagnostic.message_with_help();
        let _ = writeln!(
            out,
            "##vso[task.logissue type={kind};sourcepath={};linenumber={};columnnumber={};code={}]{}",
            escape_property(&file.display),
            pos.line,
            pos.column,
            escape_property(finding.code),
            escape_data(&message),
        );
    }
    out
}

/// The message after `]`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value;` property, where `;` and `]` are separators too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(';', "%3B").replace(']', "%5D")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_task_library() {
        assert_eq!(escape_data("50%;a]\r\nb"), "50%AZP25;a]%0D%0Ab");
        assert_eq!(escape_property("50%;a]\r\nb"), "50%AZP25%3Ba%5D%0D%0Ab");
    }
}
