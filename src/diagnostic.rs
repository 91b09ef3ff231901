//! What rules report and what reporters print.

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// A problem a rule found, before the engine stamps the rule and severity on it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// What is wrong: no trailing period, identifiers in backticks.
    pub message: String,
    /// The exact offending value, or the block header when something is missing.
    pub primary: Label,
    /// Why: the scope, the identity, the other workloads, where a value came from.
    pub secondary: Vec<Label>,
    /// What to do.
    pub help: Option<String>,
    /// Spans whose text is a secret: every reporter masks them.
    pub redact: Vec<Span>,
    /// What the finding is about, independent of line numbers: a resource address or JSON path
    /// plus the offending key. Baselines fingerprint it.
    pub anchor: String,
}

impl Diagnostic {
    pub fn new(
        message: impl Into<String>,
        primary: Label,
        anchor: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            redact: Vec::new(),
            anchor: anchor.into(),
        }
    }

    pub fn with_label(mut self, label: Label) -> Diagnostic {
        if label.span != self.primary.span && !self.secondary.contains(&label) {
            self.secondary.push(label);
        }
        self
    }

    pub fn with_labels(self, labels: impl IntoIterator<Item = Label>) -> Diagnostic {
        labels.into_iter().fold(self, Diagnostic::with_label)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_redacted(mut self, span: Span) -> Diagnostic {
        self.redact.push(span);
        self
    }

    /// Redacts where a secret value is written: its origin, or the value itself when it is a
    /// literal in place (not `var.x` or `local.y`, whose text is no secret).
    pub fn with_redacted_value(self, value: &crate::model::Value) -> Diagnostic {
        self.with_redacted(value.origin.unwrap_or(value.span))
    }

    /// The message and, on a line of its own, the help: for formats with one text field.
    pub fn message_with_help(&self) -> String {
        match &self.help {
            Some(help) => format!("{}\nhelp: {help}", self.message),
            None => self.message.clone(),
        }
    }
}

/// A diagnostic stamped with its rule and configured severity: what reporters print.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub diagnostic: Diagnostic,
}

impl Finding {
    pub fn span(&self) -> Span {
        self.diagnostic.primary.span
    }
}

/// The first four characters of a secret and an ellipsis: all any output shows of it.
pub fn redact(secret: &str) -> String {
    let shown: String = secret.chars().take(4).collect();
    format!("{shown}…")
}

/// `text` with every byte of the redacted spans after their first four characters replaced by
/// `*`, so that offsets stay valid for snippet renderers.
pub fn mask(text: &str, base: u32, spans: &[Span]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let start = span.start.saturating_sub(base) as usize;
        let end = (span.end.saturating_sub(base) as usize).min(bytes.len());
        if start >= end || !text.is_char_boundary(start) {
            continue;
        }
        // A quoted literal keeps its quote and then four characters of the secret; a secret
        // that starts before `text` shows none of the rest.
        let shown = if span.start < base {
            0
        } else if text[start..end].starts_with(['"', '\'']) {
            5
        } else {
            4
        };
        let keep = text[start..end]
            .char_indices()
            .nth(shown)
            .map_or(end, |(i, _)| start + i);
        bytes[keep..end].iter_mut().for_each(|b| *b = b'*');
    }
    // Replacing whole bytes of multi-byte characters with ASCII keeps the text valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    #[test]
    fn masks_after_four_characters() {
        let text = r#"key = "AccountKey=s3cr3t""#;
        let span = Span::new(FileId(0), 7..24);
        assert_eq!(mask(text, 0, &[span]), r#"key = "Acco*************""#);
        let quoted = Span::new(FileId(0), 6..25);
        assert_eq!(mask(text, 0, &[quoted]), r#"key = "Acco**************"#);
        assert_eq!(redact("AccountKey=s3cr3t"), "Acco…");
        // A piece of text that begins inside a secret shows none of it.
        assert_eq!(mask(&text[10..], 10, &[span]), r#"**************""#);
    }
}
