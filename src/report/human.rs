//! miette graphical reports with labels and help, then a summary line.

use std::collections::HashMap;
use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use rayon::prelude::*;

use super::{Counts, printable};
use crate::check::CheckResult;
use crate::diagnostic::{Finding, Label, Severity, mask};
use crate::source::SourceFile;
use crate::span::{FileId, Span};

/// Width of the rendering; fixed so snapshots and CI logs look the same everywhere.
const WIDTH: usize = 100;

pub fn render(result: &CheckResult, color: bool, quiet: bool) -> String {
    let handler = handler(color);
    // Context lines may show a secret another finding found, or the same secret written again:
    // mask every found secret everywhere, in each file a snippet shows. Each file is searched
    // once, not once for each snippet of it.
    let written_again: Vec<Span> = result
        .placed_files()
        .into_par_iter()
        .flat_map_iter(|file| {
            let text = &result.sources.get(file).text;
            result.secrets.spans_in(text, file)
        })
        .collect();
    let mut redact: HashMap<FileId, FileSecrets> = HashMap::new();
    for span in result
        .findings
        .iter()
        .flat_map(|f| f.diagnostic.redact.iter().copied())
        .chain(written_again)
    {
        let secrets = redact.entry(span.file).or_default();
        secrets.spans.push(span);
        secrets.longest = secrets.longest.max(span.len());
    }
    for secrets in redact.values_mut() {
        secrets.spans.sort_unstable_by_key(|s| (s.start, s.end));
        // Thousands of findings in one heredoc may each redact all of it.
        secrets.spans.dedup();
    }
    let redact = Redacted(redact);
    // On all cores, in order: miette's layout of the corpus's 1,400 findings took a tenth of a
    // second of one core after the scan.
    let reports: Vec<String> = result
        .findings
        .par_iter()
        .map(|finding| {
            let mut out = String::new();
            render_report(&handler, &Report::new(result, finding, &redact), &mut out);
            out.push('\n');
            out
        })
        .collect();
    let mut out = reports.concat();
    if !quiet {
        out.push_str(&summary(result));
    }
    out
}

/// An error in a file outside the scan (the config), shown as findings are: lines in pieces
/// where they are long, with the column the other formats give.
pub fn render_error(file: &SourceFile, range: std::ops::Range<usize>, title: String) -> String {
    let span = Span::new(FileId(0), range.start..range.end.max(range.start));
    let label = Label::new(span, "here");
    let mut report = Report::for_labels_of(file, &[(&label, true)], &Redacted(HashMap::new()));
    report.title = title;
    report.severity = Severity::Error;
    let mut out = String::new();
    render_report(&handler(false), &report, &mut out);
    out
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
}

/// `report` added to `out`, or its title alone should miette fail to render it.
fn render_report(handler: &GraphicalReportHandler, report: &Report, out: &mut String) {
    if handler.render_report(out, report).is_err() {
        out.push_str(&report.to_string());
    }
}

fn summary(result: &CheckResult) -> String {
    let files = result.sources.iter().filter(|(_, f)| f.reported).count();
    let counts = Counts::of(&result.findings);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if result.findings.is_empty() {
        return format!("No problems found in {}.\n", plural(files, "file"));
    }
    format!(
        "Found {} ({}, {}, {}) in {}.\n",
        plural(result.findings.len(), "problem"),
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.notes, "note"),
        plural(files, "file"),
    )
}

/// One finding as miette sees it: the labels around the primary one, and related reports for
/// the secondary labels above it in its file and in each other file they point into.
struct Report {
    title: String,
    severity: Severity,
    help: Option<String>,
    snippet: Option<Snippet>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(result: &CheckResult, finding: &Finding, redact: &Redacted) -> Report {
        let d = &finding.diagnostic;
        let primary_file = d.primary.span.file;
        let source = result.sources.get(primary_file);
        let (primary_line, _) = source.line_col(d.primary.span.start);
        let one_line = source.line_col(d.primary.span.end).0 == primary_line;
        let long_line = source.line_text(primary_line).len() > LONG_LINE_BYTES;
        let mut in_primary: Vec<(&Label, bool)> = vec![(&d.primary, true)];
        let mut above: Vec<&Label> = Vec::new();
        let mut others: Vec<&Label> = Vec::new();
        for label in &d.secondary {
            if label.span.file != primary_file {
                others.push(label);
            } else if one_line && d.primary.span.contains(label.span) {
                // miette draws a label inside another one on the same line as a mark at its
                // end; the primary one already shows that text.
                continue;
            } else if source.line_col(label.span.end).0 + SEPARATE_LINES < primary_line
                || (long_line && far_apart(d.primary.span, label.span))
            {
                above.push(label);
            } else {
                in_primary.push((label, false));
            }
        }
        let mut report = Report::for_labels(result, primary_file, &in_primary, redact);
        report.title = format!(
            "{} {}: {}",
            finding.code,
            finding.name,
            printable(&d.message)
        );
        report.severity = finding.severity;
        report.help = d.help.as_deref().map(|h| printable(h).into_owned());
        // miette prints a file's snippets in line order: a label far above the finding (where
        // the identity it names is declared) would come first and give the report its location.
        if !above.is_empty() {
            report
                .related
                .push(Report::related(result, primary_file, &above, redact));
        }
        let mut files: Vec<FileId> = others.iter().map(|l| l.span.file).collect();
        files.sort();
        files.dedup();
        for file in files {
            let labels: Vec<&Label> = others
                .iter()
                .copied()
                .filter(|l| l.span.file == file)
                .collect();
            report
                .related
                .push(Report::related(result, file, &labels, redact));
        }
        report
    }

    /// A note with secondary `labels` of one file, titled by their messages.
    fn related(result: &CheckResult, file: FileId, labels: &[&Label], redact: &Redacted) -> Report {
        let labels: Vec<(&Label, bool)> = labels.iter().map(|l| (*l, false)).collect();
        let mut related = Report::for_labels(result, file, &labels, redact);
        related.title = labels
            .iter()
            .map(|(l, _)| printable(&l.message))
            .collect::<Vec<_>>()
            .join("; ");
        related.severity = Severity::Note;
        related
    }

    fn for_labels(
        result: &CheckResult,
        file: FileId,
        labels: &[(&Label, bool)],
        redact: &Redacted,
    ) -> Report {
        Report::for_labels_of(result.sources.get(file), labels, redact)
    }

    /// A report of `labels`, all in `source`.
    fn for_labels_of(source: &SourceFile, labels: &[(&Label, bool)], redact: &Redacted) -> Report {
        let spans: Vec<Span> = labels.iter().map(|(l, _)| l.span).collect();
        let snippet = Snippet::new(source, &spans, redact);
        let labels = labels
            .iter()
            .map(|(label, primary)| {
                let span = SourceSpan::from(label.span.range());
                let text = Some(printable(&label.message).into_owned()).filter(|m| !m.is_empty());
                if *primary {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect();
        Report {
            title: String::new(),
            severity: Severity::Note,
            help: None,
            snippet: Some(snippet),
            labels,
            related: Vec::new(),
        }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// The lines around a finding, with secrets masked, addressed by the file's own offsets and
/// line numbers: miette never sees the whole file or an unmasked secret. Around a label in a
/// long line (minified JSON is one line) it is a piece of that line.
struct Snippet {
    name: String,
    text: String,
    /// Byte offset and zero-based line of `text` in the file.
    base_offset: usize,
    base_line: usize,
    /// Where each label starts, and its zero-based column in characters, as the other formats
    /// count it: miette would count bytes, from the start of `text` rather than of its line.
    columns: Vec<(usize, usize)>,
}

const CONTEXT_LINES: usize = 2;

/// Lines between a label's end and the primary label's line past which miette prints them as
/// separate snippets: it shows one line of context on each side and joins contexts that touch.
const SEPARATE_LINES: usize = 3;

/// A line longer than this is shown in pieces around the labels in it: miette would print it
/// whole for each finding (a minified template is one line of megabytes), and stops with a
/// panic on a column past 65,535.
const LONG_LINE_BYTES: usize = 1000;

/// How much of a long line is shown on each side of the labels in it, and at most in all.
const PIECE_MARGIN_BYTES: usize = 60;
const PIECE_BYTES: usize = 400;

/// Whether two labels of a long line lie too far apart to be shown in one piece of it.
fn far_apart(a: Span, b: Span) -> bool {
    a.start.abs_diff(b.start) > PIECE_BYTES as u32 / 2
}

/// Where the secrets found are written, by file, so that each snippet masks those in it.
struct Redacted(HashMap<FileId, FileSecrets>);

/// The secrets found in one file, in order, and the length of the longest.
#[derive(Default)]
struct FileSecrets {
    spans: Vec<Span>,
    longest: usize,
}

impl Redacted {
    /// The text of `source` (file `file`) from `start` to `end`, its secrets masked.
    fn mask(&self, source: &SourceFile, file: FileId, start: usize, end: usize) -> String {
        let secrets = self.within(file, start, end);
        mask(&source.text[start..end], start as u32, &secrets)
    }

    /// The secrets of `file` that overlap `start..end`.
    fn within(&self, file: FileId, start: usize, end: usize) -> Vec<Span> {
        let Some(secrets) = self.0.get(&file) else {
            return Vec::new();
        };
        let before_end = secrets.spans.partition_point(|s| (s.start as usize) < end);
        // Those that start before `start` and run into it started at most `longest` before.
        secrets.spans[..before_end]
            .iter()
            .rev()
            .take_while(|s| s.start as usize + secrets.longest >= start)
            .filter(|s| s.end as usize > start)
            .copied()
            .collect()
    }
}

impl Snippet {
    fn new(file: &SourceFile, spans: &[Span], redact: &Redacted) -> Snippet {
        let first = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let last = spans.iter().map(|s| s.end).max().unwrap_or(0);
        let file_id = spans.first().map_or(FileId(0), |s| s.file);
        // The lines miette shows: each label's, with their context.
        let long = spans.iter().any(|span| {
            let from = file
                .line_col(span.start)
                .0
                .saturating_sub(CONTEXT_LINES)
                .max(1);
            let to = file.line_col(span.end).0 + CONTEXT_LINES;
            (from..=to)
                .any(|line| file.line_start(line + 1) - file.line_start(line) > LONG_LINE_BYTES)
        });
        let columns = spans
            .iter()
            .map(|span| (span.start as usize, file.line_col(span.start).1 - 1))
            .collect();
        if long {
            let piece = (first as usize, last as usize);
            return Snippet::piece(file, file_id, piece, columns, redact);
        }
        let start_line = file.line_col(first).0.saturating_sub(CONTEXT_LINES).max(1);
        let end_line = file.line_col(last).0 + CONTEXT_LINES;
        let start = file.line_start(start_line);
        let end = file.line_start(end_line + 1);
        Snippet {
            name: printable(&file.display).into_owned(),
            text: shown_controls(redact.mask(file, file_id, start, end)),
            base_offset: start,
            base_line: start_line - 1,
            columns,
        }
    }

    /// The piece of the line of `first` from a little before `first` to a little after `last`,
    /// or to its end or a bounded length, marked with `…` where the line goes on.
    fn piece(
        file: &SourceFile,
        file_id: FileId,
        (first, last): (usize, usize),
        columns: Vec<(usize, usize)>,
        redact: &Redacted,
    ) -> Snippet {
        let (line, _) = file.line_col(first as u32);
        let line_start = file.line_start(line);
        let line_end = line_start + file.line_text(line).len();
        let mut start = first.saturating_sub(PIECE_MARGIN_BYTES).max(line_start);
        while !file.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (last + PIECE_MARGIN_BYTES)
            .min(start + PIECE_BYTES)
            .min(line_end)
            .max(start);
        while !file.text.is_char_boundary(end) {
            end -= 1;
        }
        let lead = if start > line_start { "…" } else { "" };
        let trail = if end < line_end { "…" } else { "" };
        let shown = shown_controls(redact.mask(file, file_id, start, end));
        Snippet {
            name: printable(&file.display).into_owned(),
            text: format!("{lead}{shown}{trail}"),
            base_offset: start - lead.len(),
            base_line: line - 1,
            columns,
        }
    }
}

/// The source's control characters other than line breaks and tabs, each replaced by a
/// character of its length in bytes, so that the labels' offsets still hold: a comment in the
/// scanned file must not send escape sequences to the terminal.
fn shown_controls(text: String) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return text;
    }
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c,
            // C0 controls and DEL are one byte, C1 controls two, as `¿` is.
            c if c.is_control() && c.len_utf8() == 1 => '?',
            c if c.is_control() => '¿',
            c => c,
        })
        .collect()
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let offset = span
            .offset()
            .saturating_sub(self.base_offset)
            .min(self.text.len());
        let len = span.len().min(self.text.len() - offset);
        let local = SourceSpan::from(offset..offset + len);
        let contents =
            self.text
                .as_str()
                .read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::from(
                contents.span().offset() + self.base_offset
                    ..contents.span().offset() + self.base_offset + contents.span().len(),
            ),
            contents.line() + self.base_line,
            // Read for the header's place: for a context, miette reads only the line.
            self.columns
                .iter()
                .find(|(start, _)| *start == span.offset())
                .map_or(0, |&(_, column)| column),
            // miette joins two labels' contexts into one when the first's line plus its line
            // count reaches the second's line. Its `str` reader counts the lines from the start
            // of the text, which joins labels 30 lines apart into one long snippet; this is the
            // context's own count, so that only contexts that touch are joined.
            line_count(contents.data()),
        )))
    }
}

/// The number of lines `text` spans; a last line without its newline counts.
fn line_count(text: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', text).count() + usize::from(!text.ends_with(b"\n"))
}
