//! JUnit XML: one `<testsuite>` per file with findings, one failing `<testcase>` per finding.
//! A clean run is one passing test case, since some CI systems reject a report with no tests.

use std::fmt::Write;

use super::Position;
use crate::check::CheckResult;
use crate::diagnostic::Finding;

pub fn render(result: &CheckResult) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = result.findings.len();
    if total == 0 {
        out.push_str("<testsuites name=\"idlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("  <testsuite name=\"idlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("    <testcase name=\"no findings\" classname=\"idlint\"/>\n");
        out.push_str("  </testsuite>\n</testsuites>\n");
        return out;
    }
    let _ = writeln!(
        out,
        "<testsuites name=\"idlint\" tests=\"{total}\" failures=\"{total}\" errors=\"0\">"
    );
    // Findings are sorted by path, so each file's findings are one run of the list.
    let mut rest = result.findings.as_slice();
    while let Some(first) = rest.first() {
        let path = &result.sources.get(first.span().file).display;
        let len = rest
            .iter()
            .take_while(|f| &result.sources.get(f.span().file).display == path)
            .count();
        let (group, tail) = rest.split_at(len);
        suite(&mut out, result, path, group);
        rest = tail;
    }
    out.push_str("</testsuites>\n");
    out
}

fn suite(out: &mut String, result: &CheckResult, path: &str, findings: &[Finding]) {
    let path = escape(path);
    let n = findings.len();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">"
    );
    for finding in findings {
        let file = result.sources.get(finding.span().file);
        let pos = Position::of(file, finding.span());
        let d = &finding.diagnostic;
        let mut body = format!(
            "{}:{}:{}: {}: {} [{}]",
            file.display,
            pos.line,
            pos.column,
            finding.severity.as_str(),
            d.message,
            finding.code
        );
        if let Some(help) = &d.help {
            body.push_str("\nhelp: ");
            body.push_str(help);
        }
        let _ = writeln!(
            out,
            "    <testcase name=\"{} {} at {}:{}\" classname=\"{path}\">",
            finding.code, finding.name, pos.line, pos.column
        );
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            escape(&d.message),
            finding.severity.as_str(),
            escape(&body)
        );
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
}

/// Escapes text for XML element content and double- or single-quoted attributes. Line breaks
/// and tabs become character references so attributes keep them; the other control
/// characters XML 1.0 cannot carry at all become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;\u{fffd}"
        );
    }
}
