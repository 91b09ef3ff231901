//! What rules report and what reporters print.

use crate::source::SourceDb;
use crate::span::{FileId, Span};

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
    /// Secrets written somewhere in a redacted span that may hold more than them, for
    /// [`narrow_secrets`].
    pub secrets_within: Option<SecretsWithin>,
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
            secrets_within: None,
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

    /// The primary label, then the others.
    pub fn labels(&self) -> impl Iterator<Item = &Label> {
        std::iter::once(&self.primary).chain(&self.secondary)
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
    /// literal in place (not `var.x` or `local.y`, whose text is no secret). `secrets` are the
    /// literal credentials the value is or holds, which that span may hold among other text:
    /// JSON in a heredoc or a `jsonencode` call, a `coalesce(var.x, "...")`.
    pub fn with_redacted_value(
        mut self,
        value: &crate::model::Value,
        secrets: Vec<String>,
    ) -> Diagnostic {
        let span = value.origin.unwrap_or(value.span);
        self.secrets_within = Some(SecretsWithin {
            span,
            texts: secrets,
        });
        self.with_redacted(span)
    }

    /// Narrows `span` to `places`, where its secrets are written: in the redacted spans, and in
    /// the labels when there is one place.
    fn narrow_to(&mut self, span: Span, places: Vec<Span>) {
        if let [place] = places.as_slice() {
            std::iter::once(&mut self.primary)
                .chain(&mut self.secondary)
                .filter(|label| label.span == span)
                .for_each(|label| label.span = *place);
        }
        self.redact.retain(|&redacted| redacted != span);
        self.redact.extend(places);
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

/// How many characters of a secret an output shows.
const SHOWN_CHARS: usize = 4;

/// Secrets written somewhere in `span`, as found in the value written there.
#[derive(Debug, Clone)]
pub struct SecretsWithin {
    pub span: Span,
    pub texts: Vec<String>,
}

/// Narrows the [`Diagnostic::secrets_within`] span of each diagnostic to the places in it where
/// its secrets are written, when each is written there as a JSON, escaped JSON or ARM literal.
/// Otherwise, as when a secret was computed or written elsewhere, the whole span stays
/// redacted. Each span is searched once for the secrets of all diagnostics in it: a heredoc of
/// JSON with thousands of passwords has a finding for each.
pub fn narrow_secrets<'d>(
    sources: &SourceDb,
    diagnostics: impl IntoIterator<Item = &'d mut Diagnostic>,
) {
    let mut by_span: std::collections::HashMap<Span, Vec<&mut Diagnostic>> = Default::default();
    for diagnostic in diagnostics {
        if let Some(within) = &diagnostic.secrets_within {
            by_span.entry(within.span).or_default().push(diagnostic);
        }
    }
    for (span, group) in by_span {
        let mut secrets: Vec<String> = group
            .iter()
            .flat_map(|d| {
                d.secrets_within
                    .iter()
                    .flat_map(|w| w.texts.iter().cloned())
            })
            .collect();
        secrets.sort_unstable();
        secrets.dedup();
        let text = sources.get(span.file).slice(span);
        let written = places_written(text, &secrets);
        for diagnostic in group {
            let Some(within) = diagnostic.secrets_within.take() else {
                continue;
            };
            let Some(written) = &written else {
                continue;
            };
            // Every place of each of its secrets, or none when one is not found.
            let places: Option<Vec<Span>> = within
                .texts
                .iter()
                .map(|secret| {
                    let found = &written[secrets.binary_search(secret).ok()?];
                    (!found.is_empty()).then_some(found)
                })
                .collect::<Option<Vec<_>>>()
                .map(|found| {
                    let start = span.start as usize;
                    found
                        .into_iter()
                        .flatten()
                        .map(|place| Span::new(span.file, start + place.start..start + place.end))
                        .collect()
                });
            if let Some(mut places) = places.filter(|p: &Vec<Span>| !p.is_empty()) {
                places.sort_unstable();
                places.dedup();
                diagnostic.narrow_to(within.span, places);
            }
        }
    }
}

/// The places in `text` where each of `secrets` is written as a string literal: JSON
/// (`"..."`, as in a heredoc of JSON or an HCL literal), JSON inside a JSON or HCL string
/// (`\"...\"`, without its escaped quotes), or an ARM expression's (`'...'`). `None` when
/// `text` holds escapes that could write a secret in another way, which a copy written plainly
/// beside it would leave shown.
fn places_written(text: &str, secrets: &[String]) -> Option<Vec<Vec<std::ops::Range<usize>>>> {
    if ["\\u", "\\/", "$${", "%%{"]
        .iter()
        .any(|e| text.contains(e))
    {
        return None;
    }
    // Each pattern, the secret it writes, and how many bytes of it on each side are not the
    // secret's: the escaped quotes of JSON inside a string.
    let mut patterns: Vec<(String, usize, usize)> = Vec::new();
    for (index, secret) in secrets.iter().enumerate() {
        let json = serde_json::Value::from(secret.as_str()).to_string();
        let escaped = serde_json::Value::from(json.as_str()).to_string();
        let escaped = escaped[1..escaped.len() - 1].to_string();
        patterns.push((json, index, 0));
        patterns.push((escaped, index, 2));
        if !secret.contains(['"', '\\']) {
            patterns.push((format!("'{}'", secret.replace('\'', "''")), index, 0));
        }
    }
    // Not the DFA, whose building takes time in the square of a secret that repeats itself.
    let automaton = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(patterns.iter().map(|(pattern, ..)| pattern))
        .ok()?;
    let mut places = vec![Vec::new(); secrets.len()];
    for found in automaton.find_iter(text) {
        let (_, index, quotes) = patterns[found.pattern().as_usize()];
        places[index].push(found.start() + quotes..found.end() - quotes);
    }
    Some(places)
}

/// The first four characters of a secret and an ellipsis: all any output shows of it.
pub fn redact(secret: &str) -> String {
    let shown: String = secret.chars().take(SHOWN_CHARS).collect();
    format!("{shown}…")
}

/// The secrets the findings redact, as texts, so that they are masked wherever else they show
/// up: in a name built from one (`app-${var.admin_password}`), or written a second time beside
/// a finding. A redacted span masks only where the secret is written.
#[derive(Debug)]
pub struct FoundSecrets {
    /// Secrets of [`SHORT_SECRET_CHARS`] characters or more, masked wherever they are written.
    long: Option<Search>,
    /// Shorter ones could be part of a word (`apigee` of `apigeeEdge`): they are masked only
    /// where they stand alone. Searched for apart from the long ones: a search for both that
    /// started again after each short one inside a word took time in the length of the longest
    /// secret each time.
    short: Option<Search>,
}

/// Each secret as written and as its value, and what outputs show of each.
#[derive(Debug)]
struct Search {
    automaton: aho_corasick::AhoCorasick,
    shown: Vec<String>,
}

/// A place in a text where a found secret is written, and what outputs show of it.
type Place<'s> = (std::ops::Range<usize>, &'s str);

impl Search {
    /// The longest leftmost match, so that a secret within another does not leave the longer
    /// one's rest shown. Not the DFA that the builder picks for few patterns: it is built in
    /// time in the square of a secret's length when the secret repeats itself
    /// (`xFAKExFAKE...`, 12 s for 50 kB). Nor an automaton that reports every match: it is
    /// built in time in the square of the secrets' bytes when one ends in a piece of another
    /// (300 such secrets beside 300,000 `a`: 33 s and 1.7 GB).
    fn long(texts: Vec<String>) -> Option<Search> {
        let kind = Some(aho_corasick::AhoCorasickKind::ContiguousNFA);
        let automaton = build(&texts, aho_corasick::MatchKind::LeftmostLongest, kind)?;
        Some(Search::of(texts, automaton))
    }

    /// Every match, overlapping ones too, since the first may be inside a word. These are short
    /// enough for the DFA, which searches faster.
    fn short(texts: Vec<String>) -> Option<Search> {
        let automaton = build(&texts, aho_corasick::MatchKind::Standard, None)?;
        Some(Search::of(texts, automaton))
    }

    fn of(texts: Vec<String>, automaton: aho_corasick::AhoCorasick) -> Search {
        Search {
            automaton,
            shown: texts.iter().map(|t| redact(t)).collect(),
        }
    }

    /// Every place where one of these (long) secrets is written in `text`.
    fn every_place<'s>(&'s self, text: &str, found: &mut Vec<Place<'s>>) {
        use aho_corasick::Input;
        let reach = self.automaton.max_pattern_len();
        // The leftmost matches miss only secrets that start inside one of them and end after
        // it. So after each, the search starts again one byte past the start of the last match
        // found, up to the longest secret's length past the end of what is masked, for as long
        // as it finds a match that starts inside that. Secrets that end in each other
        // (`aaaaaaaa`, `aaaaaaaaa`, ...) match at every byte, and each such search may read its
        // whole stretch: past this many bytes read again, the rest of the text is masked from
        // the last match's start, so that the search stays linear and shows nothing it found.
        let mut budget = 8 * text.len() + 64 * 1024;
        let mut from = 0;
        while let Some(leftmost) = self.automaton.find(Input::new(text).range(from..)) {
            let mut last = leftmost;
            let mut masked_end = leftmost.end();
            loop {
                found.push((last.range(), self.shown[last.pattern()].as_str()));
                let stretch = last.start() + 1..(masked_end + reach).min(text.len());
                if stretch.len() > budget {
                    let rest = last.start()..text.len();
                    found.push((rest, self.shown[last.pattern()].as_str()));
                    return;
                }
                budget -= stretch.len();
                match self.automaton.find(Input::new(text).range(stretch)) {
                    Some(inside) if inside.start() < masked_end => {
                        masked_end = masked_end.max(inside.end());
                        last = inside;
                    }
                    _ => break,
                }
            }
            // Every place before `masked_end` where a secret starts has been searched.
            from = masked_end;
        }
    }

    /// The places where one of these (short) secrets stands alone in `text`, not inside a word.
    fn places_alone<'s>(&'s self, text: &str, found: &mut Vec<Place<'s>>) {
        let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        found.extend(
            self.automaton
                .find_overlapping_iter(text)
                .filter(|m| {
                    !is_word(text[..m.start()].chars().next_back())
                        && !is_word(text[m.end()..].chars().next())
                })
                .map(|m| (m.range(), self.shown[m.pattern()].as_str())),
        );
    }
}

/// An automaton for `texts`, or `None` when there are none. Building fails only past the
/// automaton's limits of states and pattern lengths (about 2^31): hundreds of megabytes of
/// secrets.
fn build(
    texts: &[String],
    match_kind: aho_corasick::MatchKind,
    kind: Option<aho_corasick::AhoCorasickKind>,
) -> Option<aho_corasick::AhoCorasick> {
    if texts.is_empty() {
        return None;
    }
    aho_corasick::AhoCorasick::builder()
        .match_kind(match_kind)
        .kind(kind)
        .build(texts)
        .ok()
}

/// Secrets of fewer characters are masked elsewhere only where they stand alone.
pub(crate) const SHORT_SECRET_CHARS: usize = 8;

impl FoundSecrets {
    pub fn of<'d>(
        sources: &SourceDb,
        diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    ) -> FoundSecrets {
        // Each span once: thousands of findings in one heredoc of JSON may each redact all of it.
        let spans: std::collections::BTreeSet<Span> = diagnostics
            .into_iter()
            .flat_map(|d| &d.redact)
            .copied()
            .collect();
        let mut texts: Vec<String> = spans
            .into_iter()
            .flat_map(|span| secret_texts(sources.get(span.file).slice(span)))
            // Shorter ones show whole in their redacted form anyway.
            .filter(|text| text.chars().nth(SHOWN_CHARS).is_some())
            .collect();
        texts.sort_unstable();
        texts.dedup();
        let (long, short): (Vec<String>, Vec<String>) = texts
            .into_iter()
            .partition(|t| t.chars().nth(SHORT_SECRET_CHARS - 1).is_some());
        FoundSecrets {
            long: Search::long(long),
            short: Search::short(short),
        }
    }

    /// Redacts every found secret in the messages, labels, help and anchors of `findings`.
    pub fn redact_in(&self, findings: &mut [Finding]) {
        let redact_text = |text: &mut String| {
            let mut redacted = String::new();
            let mut copied = 0;
            for (range, shown) in self.within(text) {
                redacted.push_str(&text[copied..range.start]);
                redacted.push_str(shown);
                copied = range.end;
            }
            if copied > 0 {
                redacted.push_str(&text[copied..]);
                *text = redacted;
            }
        };
        for finding in findings {
            let d = &mut finding.diagnostic;
            redact_text(&mut d.message);
            redact_text(&mut d.anchor);
            d.help.iter_mut().for_each(redact_text);
            d.secondary
                .iter_mut()
                .chain(std::iter::once(&mut d.primary))
                .for_each(|label| redact_text(&mut label.message));
        }
    }

    /// Where found secrets are written in `text`, the text of `file`.
    pub fn spans_in(&self, text: &str, file: FileId) -> Vec<Span> {
        self.within(text)
            .into_iter()
            .map(|(found, _)| Span::new(file, found))
            .collect()
    }

    /// Where secrets are written in `text`, in order, each with what outputs show of it.
    /// Secrets that overlap are masked as one, shown as the first.
    fn within(&self, text: &str) -> Vec<Place<'_>> {
        let mut found = Vec::new();
        if let Some(long) = &self.long {
            long.every_place(text, &mut found);
        }
        if let Some(short) = &self.short {
            short.places_alone(text, &mut found);
        }
        found.sort_by_key(|(range, _)| (range.start, std::cmp::Reverse(range.end)));
        let mut merged: Vec<Place> = Vec::with_capacity(found.len());
        for (range, shown) in found {
            match merged.last_mut() {
                Some((last, _)) if range.start < last.end => last.end = last.end.max(range.end),
                _ => merged.push((range, shown)),
            }
        }
        merged
    }
}

/// A redacted literal's text as written between its quotes, and as its value where escapes make
/// them differ (a message shows the value, a snippet the written text).
pub(crate) fn secret_texts(written: &str) -> Vec<String> {
    let written = written.trim();
    let inner = [('"', '"'), ('\'', '\'')]
        .iter()
        .find_map(|&(open, close)| written.strip_prefix(open)?.strip_suffix(close))
        .unwrap_or(written);
    let mut texts = vec![inner.to_string()];
    if written.starts_with('"') && inner.contains('\\') {
        texts.extend(serde_json::from_str::<String>(written).ok());
    } else if written.starts_with('\'') && inner.contains("''") {
        texts.push(inner.replace("''", "'"));
    }
    texts
}

/// `text` with every byte of the redacted spans after their first four characters, but line
/// breaks, replaced by `*`, so that offsets stay valid for snippet renderers.
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
        // Line breaks stay: a secret over several lines (a heredoc's key, JSON text) keeps
        // the snippet's lines where they are.
        bytes[keep..end]
            .iter_mut()
            .filter(|b| !matches!(b, b'\n' | b'\r'))
            .for_each(|b| *b = b'*');
    }
    // Replacing whole bytes of multi-byte characters with ASCII keeps the text valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as the file `main.tf`, and the spans of `literals` in it.
    fn file_with_secrets(text: &str, literals: &[&str]) -> (SourceDb, FileId, Vec<Span>) {
        let mut sources = SourceDb::default();
        let file = sources.add(crate::source::SourceFile::new(
            "main.tf".into(),
            crate::source::FileKind::Terraform,
            text.to_string(),
            true,
        ));
        let spans = literals
            .iter()
            .map(|literal| {
                let start = text.find(literal).unwrap();
                Span::new(file, start..start + literal.len())
            })
            .collect();
        (sources, file, spans)
    }

    /// The secrets that a finding found in the quoted literals `secrets` of one file.
    fn found(secrets: &[&str]) -> (FoundSecrets, FileId) {
        let literals: Vec<String> = secrets.iter().map(|s| format!("\"{s}\"")).collect();
        let text = literals.join(", ");
        let literals: Vec<&str> = literals.iter().map(String::as_str).collect();
        let (sources, file, redacted) = file_with_secrets(&text, &literals);
        let mut diagnostic = Diagnostic::new("", Label::new(Span::new(file, 0..1), ""), "");
        diagnostic.redact = redacted;
        (FoundSecrets::of(&sources, [&diagnostic]), file)
    }

    /// The redacted spans and the primary label's span, as texts, of a finding whose value is
    /// all of `text` (the file) and holds `secrets`, after narrowing.
    fn narrowed(text: &str, secrets: &[&str]) -> (Vec<String>, String) {
        let (sources, file, _) = file_with_secrets(text, &[]);
        let whole = Span::new(file, 0..text.len());
        let value = crate::model::Value::string("", whole);
        let secrets = secrets.iter().map(|s| s.to_string()).collect();
        let mut diagnostic =
            Diagnostic::new("", Label::new(whole, ""), "").with_redacted_value(&value, secrets);
        narrow_secrets(&sources, [&mut diagnostic]);
        let shown = |span: Span| text[span.range()].to_string();
        let redacted = diagnostic.redact.iter().map(|&span| shown(span)).collect();
        (redacted, shown(diagnostic.primary.span))
    }

    #[test]
    fn a_secret_inside_a_value_is_redacted_where_it_is_written() {
        // JSON in a heredoc: the literal, and the label moves to it.
        let heredoc = "<<EOT\n{\"User\": \"admin\", \"Password\": \"P@ss-w0rd-2024\"}\nEOT";
        let (redacted, label) = narrowed(heredoc, &["P@ss-w0rd-2024"]);
        assert_eq!(redacted, ["\"P@ss-w0rd-2024\""]);
        assert_eq!(label, "\"P@ss-w0rd-2024\"");
        // JSON inside a string, and an ARM expression's literal, with its quote escaped.
        let (redacted, _) = narrowed(r#""{\"Password\": \"P@ss\\\"w0rd\"}""#, &["P@ss\"w0rd"]);
        assert_eq!(redacted, [r#"P@ss\\\"w0rd"#]);
        let (redacted, _) = narrowed("[concat('a', 'it''s-s3cret!')]", &["it's-s3cret!"]);
        assert_eq!(redacted, ["'it''s-s3cret!'"]);
        // Two secrets, one written twice: every place, and the label stays on the whole value.
        let json = r#"{"a": "Secret-One-1", "b": "Secret-Two-2", "c": "Secret-One-1"}"#;
        let (redacted, label) = narrowed(json, &["Secret-One-1", "Secret-Two-2"]);
        assert_eq!(
            redacted,
            [
                r#""Secret-One-1""#,
                r#""Secret-Two-2""#,
                r#""Secret-One-1""#
            ]
        );
        assert_eq!(label, json);
    }

    #[test]
    fn a_secret_not_found_as_written_leaves_the_whole_value_redacted() {
        for (text, secrets) in [
            // Computed from a variable: not in the text.
            (
                r#"{"Password": "${var.password}"}"#,
                &["P@ss-w0rd-2024"][..],
            ),
            // One of two secrets is not written here.
            (
                r#"{"a": "Secret-One-1"}"#,
                &["Secret-One-1", "Secret-Two-2"],
            ),
            // Written with an escape the search does not write, beside a plain copy that it
            // would find: the escaped one would show.
            (
                r#"{"a": "S\u0065cret-One-1", "b": "Secret-One-1"}"#,
                &["Secret-One-1"],
            ),
            (
                r#"{"a": "http:\/\/x/Secret", "b": "http://x/Secret"}"#,
                &["http://x/Secret"],
            ),
            (
                "<<EOT\n{\"a\": \"pa$${x}ss-w0rd\", \"b\": \"pa${x}ss-w0rd\"}\nEOT",
                &["pa${x}ss-w0rd"],
            ),
        ] {
            let (redacted, label) = narrowed(text, secrets);
            assert_eq!(redacted, [text], "{text}");
            assert_eq!(label, text);
        }
    }

    #[test]
    fn found_secrets_are_masked_elsewhere_and_short_ones_only_alone() {
        let text = r#"a = "Sup3rS3cret!Value", b = "apigee", c = 'it''s-s3cret', d = "esc\"aped-s3cret", e = "geeLong!Secret""#;
        let (sources, file, redacted) = file_with_secrets(
            text,
            &[
                r#""Sup3rS3cret!Value""#,
                r#""apigee""#,
                "'it''s-s3cret'",
                r#""esc\"aped-s3cret""#,
                r#""geeLong!Secret""#,
            ],
        );
        let mut finding = Finding {
            code: "AZ105",
            name: "hardcoded-credential",
            severity: Severity::Error,
            diagnostic: Diagnostic::new(
                "`app-Sup3rS3cret!Value`, `apigeeEdge`, `vm-apigee`, `it's-s3cret`, `esc\"aped-s3cret`",
                Label::new(Span::new(file, 0..1), "`apigee`"),
                "",
            ),
        };
        finding.diagnostic.redact = redacted;
        let found = FoundSecrets::of(&sources, [&finding.diagnostic]);
        found.redact_in(std::slice::from_mut(&mut finding));
        assert_eq!(
            finding.diagnostic.message,
            "`app-Sup3…`, `apigeeEdge`, `vm-apig…`, `it's…`, `esc\"…`"
        );
        assert_eq!(finding.diagnostic.primary.message, "`apig…`");
        let written = "x Sup3rS3cret!Value apigeeEdge esc\\\"aped-s3cret";
        let spans = found.spans_in(written, file);
        assert_eq!(spans, [Span::new(file, 2..19), Span::new(file, 31..47)]);
        // A short one within a word does not hide a longer one that starts inside it.
        let spans = found.spans_in("apigeeLong!Secret", file);
        assert_eq!(spans, [Span::new(file, 3..17)]);
    }

    #[test]
    fn a_short_secret_that_overlaps_a_long_one_is_masked_with_it() {
        let (found, file) = found(&["ab-cde", "cde-fghijk"]);
        let mut finding = Finding {
            code: "AZ105",
            name: "hardcoded-credential",
            severity: Severity::Error,
            diagnostic: Diagnostic::new(
                "`ab-cde-fghijk`",
                Label::new(Span::new(file, 0..1), ""),
                "",
            ),
        };
        found.redact_in(std::slice::from_mut(&mut finding));
        assert_eq!(finding.diagnostic.message, "`ab-c…`");
        let spans = found.spans_in("x ab-cde-fghijk y", file);
        assert_eq!(spans, [Span::new(file, 2..15)]);
    }

    #[test]
    fn a_long_secret_that_starts_inside_another_is_masked_to_its_end() {
        let (found, file) = found(&["Sup3rS3cret1", "S3cret1-tailpart"]);
        let spans = found.spans_in("x Sup3rS3cret1-tailpart y", file);
        assert_eq!(spans, [Span::new(file, 2..23)]);
    }

    #[test]
    fn a_long_secret_that_starts_inside_another_is_masked_however_many_were_found() {
        // 2,000 more secrets of 17 characters: 34 kB of them.
        let more: Vec<String> = (0..2000).map(|n| format!("Other-secret-{n:04}")).collect();
        let mut secrets: Vec<&str> = more.iter().map(String::as_str).collect();
        secrets.extend(["Sup3rS3cret1", "S3cret1-tailpart"]);
        let (found, file) = found(&secrets);
        let spans = found.spans_in("x Sup3rS3cret1-tailpart Other-secret-1999 y", file);
        assert_eq!(spans, [Span::new(file, 2..23), Span::new(file, 24..41)]);
    }

    #[test]
    fn every_place_of_every_long_secret_is_masked() {
        // Secrets and texts of two letters overlap in every way; each text's masked places are
        // those a search from every position finds.
        let mut state: u32 = 7;
        let mut random = move |below: u32| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) % below
        };
        fn word(random: &mut impl FnMut(u32) -> u32, min: u32, max: u32) -> String {
            let len = min + random(max - min + 1);
            (0..len)
                .map(|_| if random(3) == 0 { 'b' } else { 'a' })
                .collect()
        }
        for _ in 0..2_000 {
            let count = 1 + random(4);
            let secrets: Vec<String> = (0..count).map(|_| word(&mut random, 8, 12)).collect();
            let written = word(&mut random, 0, 48);
            let secret_texts: Vec<&str> = secrets.iter().map(String::as_str).collect();
            let (found, file) = found(&secret_texts);
            let mut expected = vec![false; written.len()];
            for secret in &secrets {
                for start in 0..written.len() {
                    if written[start..].starts_with(secret.as_str()) {
                        expected[start..start + secret.len()].fill(true);
                    }
                }
            }
            let mut masked = vec![false; written.len()];
            for span in found.spans_in(&written, file) {
                masked[span.start as usize..span.end as usize].fill(true);
            }
            assert_eq!(masked, expected, "{secrets:?} in {written}");
        }
    }

    #[test]
    fn secrets_that_end_in_each_other_are_masked_past_the_search_budget() {
        // Each place in the run of `a` starts secrets of up to 400 `a`, and each search from
        // there reads up to 800 bytes: more than the search takes.
        let secrets: Vec<String> = (8..=400).map(|n| "a".repeat(n)).collect();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let (found, file) = found(&secrets);
        let written = format!("shown {} b", "a".repeat(400));
        // The search stops, and masks the rest from where a secret could start.
        assert_eq!(
            found.spans_in(&written, file),
            [Span::new(file, 6..written.len())]
        );
    }

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
