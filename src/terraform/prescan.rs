//! What the HCL parser needs found before it runs: the items of object literals, and the line
//! breaks around operators, from a lexer just precise enough for them.
//!
//! hcl-edit checks each key of an object against every key before it, so an object of n items
//! takes time in n² to parse (20,000 items 1.5 s, 80,000 items 44 s, in a release build). A file
//! with a wider object is refused before the parser sees it, as a file over the size limit is.
//! And the parser stops at the first key written twice, and at the first line break after an
//! operator that it rejects, which `parse::parse_tolerant` mends before parsing again: the keys
//! written twice are found here in one pass, and so are the line breaks in a file with a wide
//! object, so that such a file is not parsed again for each.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::{ControlFlow, Range};

/// The most items an object literal may have.
pub const MAX_OBJECT_ITEMS: usize = 20_000;

/// What the text to look through is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// HCL's native syntax: a file's body, or one expression.
    Native,
    /// A template: text with `${...}` and `%{...}` (a string of Terraform's JSON syntax).
    Template,
}

/// Where we are in the text.
#[derive(Debug)]
enum Frame {
    /// A body, a block's body, an expression, a bracket, a parenthesis or an interpolation:
    /// separators here do not part an object's items.
    Code,
    /// An object literal, opened at `open`, its items so far, and whether a separator has come
    /// since the last one began.
    Object {
        open: usize,
        items: usize,
        after_separator: bool,
    },
    /// A quoted string, a heredoc's text or a template's. Its `${...}` and `%{...}` are code,
    /// above it on the stack, that a `}` closes.
    Text(Text),
}

#[derive(Debug, Clone, Copy)]
enum Text {
    Quoted,
    /// A heredoc's text, which ends at the line of its closing marker, at `body_end`; the
    /// heredoc itself ends at `end`.
    Heredoc {
        body_end: usize,
        end: usize,
    },
    /// A template: the whole text.
    Template,
}

/// The offset of the `{` that opens the first object literal of more than
/// [`MAX_OBJECT_ITEMS`] items in `text`, if there is one.
pub fn too_wide_object(text: &str, syntax: Syntax) -> Option<usize> {
    object_wider_than(text, syntax, MAX_OBJECT_ITEMS)
}

/// The offset of the `{` that opens the first object literal of more than `limit` items.
pub fn object_wider_than(text: &str, syntax: Syntax, limit: usize) -> Option<usize> {
    // Every item after an object's first follows a line break or a comma: a text with fewer of
    // both has no object that wide (every file of the corpus, for the parser's limit).
    if memchr::memchr2_iter(b'\n', b',', text.as_bytes()).count() < limit {
        return None;
    }
    let mut wider = None;
    scan(text, syntax, |event| {
        if let Event::Item(item) = event
            && item.index >= limit
        {
            wider = Some(item.open);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    wider
}

/// The offsets of the keys that an object literal of `text` (a file's body) writes a second
/// time, each a plain name or a quoted string without interpolation (see [`key_at`]).
pub fn keys_written_again(text: &str) -> Vec<usize> {
    let mut seen: HashMap<usize, HashSet<Key>> = HashMap::new();
    let mut again = Vec::new();
    scan(text, Syntax::Native, |event| {
        if let Event::Item(item) = event
            && let Some((key, _)) = key_at(text, item.start)
            && !seen.entry(item.open).or_default().insert(key)
        {
            again.push(item.start);
        }
        ControlFlow::Continue(())
    });
    again
}

/// An object's key, as the parser tells keys apart: `k` and `"k"` are two keys, `"kA"` and
/// `"k\u0041"` are one.
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum Key<'t> {
    Name(&'t str),
    /// A quoted key's value, its escapes read.
    Quoted(Cow<'t, str>),
}

/// The key written at `at` in `text`, and where the bytes that name it are (a quoted key's
/// between its quotes). `None` for a key that is computed, a template (`"${k}"`) or an
/// expression (`(k)`), or for no key.
pub fn key_at(text: &str, at: usize) -> Option<(Key<'_>, Range<usize>)> {
    let bytes = text.as_bytes();
    match *bytes.get(at)? {
        b'"' => {
            let mut escaped = false;
            let mut i = at + 1;
            loop {
                match bytes.get(i)? {
                    b'"' => break,
                    b'\\' => {
                        escaped = true;
                        i += 1;
                    }
                    b'$' | b'%' | b'\n' => return None,
                    _ => {}
                }
                i += 1;
            }
            let value = if escaped {
                match hcl_edit::parser::parse_expr(text.get(at..=i)?).ok()? {
                    hcl_edit::expr::Expression::String(value) => Cow::Owned(value.value().clone()),
                    _ => return None,
                }
            } else {
                Cow::Borrowed(text.get(at + 1..i)?)
            };
            Some((Key::Quoted(value), at + 1..i))
        }
        b if b.is_ascii_alphabetic() || b == b'_' => {
            let len = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
                .count();
            Some((Key::Name(&text[at..at + len]), at..at + len))
        }
        _ => None,
    }
}

/// The places where `text` (a file's body) breaks a line after a binary operator or before
/// one, from `from` on: each the blanks and comments between the operator and the code next
/// to it. hcl-edit rejects some of them where Terraform does not (in a `for` expression, in an
/// object's item); `parse::parse_tolerant` blanks them all at once in a file whose objects
/// are wide enough that parsing it once for each is slow.
pub fn operator_line_breaks(text: &str, from: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut breaks = Vec::new();
    scan(text, Syntax::Native, |event| {
        if let Event::LineBreak { last, next } = event
            && next >= from
            && (ends_with_operator(&bytes[..=last]) || starts_with_operator(&bytes[next..]))
        {
            breaks.push(last + 1..next);
        }
        ControlFlow::Continue(())
    });
    breaks
}

/// The binary operators (and the conditional's `?` and `:`) that a line may end or start with.
const OPERATORS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "?", ":",
];

/// Whether code that ends with `before` ends with a binary operator (not a `for` expression's
/// `=>`).
pub fn ends_with_operator(before: &[u8]) -> bool {
    OPERATORS.iter().any(|op| before.ends_with(op.as_bytes())) && !before.ends_with(b"=>")
}

/// Whether `rest` starts with a binary operator, not a comment.
pub fn starts_with_operator(rest: &[u8]) -> bool {
    OPERATORS.iter().any(|op| rest.starts_with(op.as_bytes()))
        && !rest.starts_with(b"//")
        && !rest.starts_with(b"/*")
}

/// What the lexer finds, in the order of the text.
enum Event {
    /// An item of an object literal.
    Item(Item),
    /// Blanks and comments with a line break among them, between the code byte at `last` and
    /// the one at `next`, outside the text of strings and heredocs.
    LineBreak { last: usize, next: usize },
}

/// An item of an object literal: the offset of the object's `{`, the item's place among its
/// items (from 0), and the offset of its first byte.
struct Item {
    open: usize,
    index: usize,
    start: usize,
}

/// Calls `each` with every item of every object literal of `text`, and every line break
/// between code, in order, until it breaks. A lexer just precise enough for them: comments and
/// the text of strings and heredocs are skipped (their interpolations and directives are code),
/// and a `{` after a block's type or label (a word or a closing quote) opens a body, not an
/// object.
fn scan(text: &str, syntax: Syntax, mut each: impl FnMut(Event) -> ControlFlow<()>) {
    let bytes = text.as_bytes();
    let mut stack = vec![match syntax {
        Syntax::Template => Frame::Text(Text::Template),
        Syntax::Native => Frame::Code,
    }];
    // The last byte of code that is not blank or a comment: a `{` after a word or a quote
    // opens a block. And where it is, and whether a line break has come since.
    let mut last = b'=';
    let mut last_at = None;
    let mut line_broken = false;
    // Whether a heredoc's text is on the stack. A heredoc inside its interpolations is skipped
    // whole, as its end is found: reading its text too would look for the end of each heredoc
    // it holds in turn, over the same lines, in time in the square of their number.
    let mut in_heredoc = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let next = bytes.get(i + 1).copied();
        if let Some(&Frame::Text(kind)) = stack.last() {
            if let Text::Heredoc { body_end, end } = kind
                && i >= body_end
            {
                stack.pop();
                in_heredoc = false;
                last = b'"';
                (last_at, line_broken) = (Some(end - 1), false);
                // Past it already when an interpolation ran on over its closing line: the
                // lexer never goes back, so that it stays linear.
                i = i.max(end);
                continue;
            }
            let quoted = matches!(kind, Text::Quoted);
            match (byte, next) {
                (b'\\', _) if quoted => i += 1,
                (b'"', _) if quoted => {
                    stack.pop();
                    last = b'"';
                    (last_at, line_broken) = (Some(i), false);
                }
                // `$${` and `%%{` are the literal text `${` and `%{`.
                (b'$', Some(b'$')) | (b'%', Some(b'%')) => i += 1,
                (b'$' | b'%', Some(b'{')) => {
                    stack.push(Frame::Code);
                    last = b'{';
                    (last_at, line_broken) = (Some(i + 1), false);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match byte {
            b'#' => i = line_end(bytes, i),
            b'/' if next == Some(b'/') => i = line_end(bytes, i),
            b'/' if next == Some(b'*') => {
                let end = memchr::memmem::find(&bytes[i + 2..], b"*/")
                    .map_or(bytes.len(), |at| i + 2 + at + 2);
                line_broken |= memchr::memchr(b'\n', &bytes[i..end]).is_some();
                i = end;
            }
            b'<' if next == Some(b'<') => match heredoc(bytes, i) {
                Some(Heredoc {
                    body,
                    body_end,
                    end,
                }) => {
                    if let Some(at) = last_at.filter(|_| line_broken)
                        && each(Event::LineBreak { last: at, next: i }).is_break()
                    {
                        return;
                    }
                    if in_heredoc {
                        last = b'"';
                        (last_at, line_broken) = (Some(end - 1), false);
                        i = end;
                    } else {
                        // Its text is read for its interpolations and directives, whose code
                        // may hold objects and line breaks after operators as any other.
                        stack.push(Frame::Text(Text::Heredoc { body_end, end }));
                        in_heredoc = true;
                        i = body;
                    }
                }
                None => i += 2,
            },
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' | b',' => {
                if let Some(Frame::Object {
                    after_separator, ..
                }) = stack.last_mut()
                {
                    *after_separator = true;
                }
                if byte == b',' {
                    last = byte;
                    (last_at, line_broken) = (Some(i), false);
                } else {
                    line_broken = true;
                }
                i += 1;
            }
            _ => {
                if let Some(at) = last_at.filter(|_| line_broken)
                    && each(Event::LineBreak { last: at, next: i }).is_break()
                {
                    return;
                }
                if let Some(Frame::Object {
                    open,
                    items,
                    after_separator,
                }) = stack.last_mut()
                    && *after_separator
                    && byte != b'}'
                {
                    let item = Item {
                        open: *open,
                        index: *items,
                        start: i,
                    };
                    *items += 1;
                    *after_separator = false;
                    if each(Event::Item(item)).is_break() {
                        return;
                    }
                }
                match byte {
                    b'"' => stack.push(Frame::Text(Text::Quoted)),
                    b'{' if last.is_ascii_alphanumeric() || matches!(last, b'_' | b'-' | b'"') => {
                        stack.push(Frame::Code)
                    }
                    // A `for` expression's clauses are no items.
                    b'{' if starts_for(&bytes[i + 1..]) => stack.push(Frame::Code),
                    b'{' => stack.push(Frame::Object {
                        open: i,
                        items: 0,
                        after_separator: true,
                    }),
                    b'[' | b'(' => stack.push(Frame::Code),
                    // The outermost frame stays: a stray closer is the parser's to report.
                    b'}' | b']' | b')' if stack.len() > 1 => {
                        stack.pop();
                    }
                    _ => {}
                }
                last = byte;
                (last_at, line_broken) = (Some(i), false);
                i += 1;
            }
        }
    }
}

/// Whether `rest` starts with the keyword `for`, after blanks.
fn starts_for(rest: &[u8]) -> bool {
    let rest = rest.trim_ascii_start();
    rest.starts_with(b"for") && rest.get(3).is_some_and(u8::is_ascii_whitespace)
}

/// The offset of the line break that ends the line of `at`, or the end of the text.
fn line_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n)
}

/// A heredoc: where its text starts, where the line of its closing marker starts, and where
/// that line ends; at the end of the text if no line closes it.
struct Heredoc {
    body: usize,
    body_end: usize,
    end: usize,
}

/// The heredoc that opens at `at` (`<<EOT` or `<<-EOT`, then a line break), or `None`.
fn heredoc(bytes: &[u8], at: usize) -> Option<Heredoc> {
    let mut start = at + 2;
    if bytes.get(start) == Some(&b'-') {
        start += 1;
    }
    // Only the marker's bytes and the blanks after it are read here, not the rest of the line:
    // a line of `<<<<...` would be read again from each `<<`.
    let is_marker_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    let marker_end = start
        + bytes[start..]
            .iter()
            .take_while(|b| is_marker_byte(b))
            .count();
    let blanks = bytes[marker_end..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
        .count();
    let opening_end = marker_end + blanks;
    if marker_end == start || bytes.get(opening_end).is_some_and(|&b| b != b'\n') {
        return None;
    }
    let marker = &bytes[start..marker_end];
    let body = (opening_end + 1).min(bytes.len());
    let mut line_start = body;
    while line_start < bytes.len() {
        let end = line_end(bytes, line_start);
        if bytes[line_start..end].trim_ascii() == marker {
            return Some(Heredoc {
                body,
                body_end: line_start,
                end,
            });
        }
        line_start = end + 1;
    }
    let end = bytes.len();
    Some(Heredoc {
        body,
        body_end: end,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize, separator: &str) -> String {
        (0..n).map(|i| format!("k{i} = {i}{separator}")).collect()
    }

    #[test]
    fn finds_an_object_past_the_limit() {
        let wide = format!(
            "locals {{\n  m = {{\n{}  }}\n}}\n",
            items(MAX_OBJECT_ITEMS + 1, "\n")
        );
        assert_eq!(too_wide_object(&wide, Syntax::Native), Some(15));
        let one_line = format!("m = {{ {} }}\n", items(MAX_OBJECT_ITEMS + 1, ", "));
        assert_eq!(too_wide_object(&one_line, Syntax::Native), Some(4));
        let at_limit = format!("m = {{\n{}}}\n", items(MAX_OBJECT_ITEMS, "\n"));
        assert_eq!(too_wide_object(&at_limit, Syntax::Native), None);
        // Inside an interpolation, of a file or of a JSON string.
        let interpolated = format!(
            "x = \"${{ {{ {} }} }}\"\n",
            items(MAX_OBJECT_ITEMS + 1, ", ")
        );
        assert_eq!(too_wide_object(&interpolated, Syntax::Native), Some(8));
        let in_heredoc = format!(
            "x = <<EOT\n{{\n${{ {{ {} }} }}\nEOT\n",
            items(MAX_OBJECT_ITEMS + 1, ", ")
        );
        assert_eq!(too_wide_object(&in_heredoc, Syntax::Native), Some(15));
        let template = format!("a-${{ {{ {} }} }}", items(MAX_OBJECT_ITEMS + 1, ", "));
        assert_eq!(too_wide_object(&template, Syntax::Template), Some(5));
        let expression = format!("{{ {} }}", items(MAX_OBJECT_ITEMS + 1, ", "));
        assert_eq!(too_wide_object(&expression, Syntax::Native), Some(0));
    }

    /// The most items of an object literal in `body`, by the parser's count.
    fn widest_object(body: &hcl_edit::structure::Body) -> usize {
        use hcl_edit::visit::{Visit, visit_object};
        struct Widest(usize);
        impl Visit for Widest {
            fn visit_object(&mut self, object: &hcl_edit::expr::Object) {
                self.0 = self.0.max(object.len());
                visit_object(self, object);
            }
        }
        let mut widest = Widest(0);
        widest.visit_body(body);
        widest.0
    }

    #[test]
    fn agrees_with_the_parser_on_the_fixtures() {
        // With small limits, every object of the fixtures is counted: the lexer must find the
        // same widest object as the parser.
        let mut checked = 0;
        for entry in ignore::Walk::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")) {
            let path = entry.unwrap().into_path();
            if path.extension().is_none_or(|e| e != "tf") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(body) = hcl_edit::parser::parse_body(&text) else {
                continue;
            };
            let widest = widest_object(&body);
            for limit in 0..=widest + 1 {
                assert_eq!(
                    object_wider_than(&text, Syntax::Native, limit).is_some(),
                    widest > limit,
                    "{} at {limit}",
                    path.display()
                );
            }
            checked += 1;
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn finds_the_keys_written_again_in_each_object() {
        let text = "locals {\n  a = 1\n  a = 2\n  x = { a = 1, \"a\" = 2, a = 3, b = { a = 1 }, \
                    \"c\" = 1, \"c\" = 2, (k) = 1, (k) = 2, \"$${d}\" = 1, \"$${d}\" = 2, \
                    \"eA\" = 1, \"e\\u0041\" = 2 }\n}\n";
        let again: Vec<&str> = keys_written_again(text)
            .into_iter()
            .map(|at| &text[at..at + 3])
            .collect();
        // Neither a block's attributes nor keys that are expressions.
        assert_eq!(again, ["a =", "\"c\"", "\"e\\"]);
    }

    #[test]
    fn finds_the_line_breaks_after_and_before_operators() {
        let text = "a = b &&\n  c\nd = e # why\n  /* more */ ? f : g\nh = { for k, v in m : k =>\n  v }\n\
                    i = \"j ||\n\"\nk = <<EOT\nl ||\n? m\n%{ if r ||\n s}t:\n-u%{ endif }\nEOT\n\
                    n = o\n// ||\np = q -\n  1\n";
        let joined: Vec<&str> = operator_line_breaks(text, 0)
            .into_iter()
            .map(|gap| &text[gap])
            .collect();
        // Not after `=>`, nor in a string's or a heredoc's text, nor in a comment; in a
        // heredoc's directive, yes.
        assert_eq!(joined, ["\n  ", " # why\n  /* more */ ", "\n ", "\n  "]);
        let from_the_second = operator_line_breaks(text, 20);
        assert_eq!(from_the_second.len(), 3);
    }

    #[test]
    fn counts_only_the_items_of_objects() {
        let n = MAX_OBJECT_ITEMS * 2;
        let shapes = [
            // A body, a block's body, a list of small objects, a list.
            items(n, "\n"),
            format!("locals {{\n{}}}\n", items(n, "\n")),
            format!("resource \"a\" \"b\" {{\n{}}}\n", items(n, "\n")),
            format!("x = [\n{}]\n", "{ a = 1 },\n".repeat(n)),
            format!("x = {{ a = [\n{}] }}\n", "1,\n".repeat(n)),
            format!("x = {{ a = f(\n{}) }}\n", "1,\n".repeat(n)),
            // Braces and separators in strings, heredocs and comments.
            format!("x = {{ a = \"{{{}\" }}\n", ",".repeat(n)),
            format!("x = {{ a = <<-EOT\nb = {{\n{}  EOT\n}}\n", items(n, "\n")),
            format!("x = {{ # {}\n a = 1 }}\n", ",".repeat(n)),
            format!("x = {{ /* {}\n */ a = 1 }}\n", items(n, "\n")),
            format!("x = {{\n{}\n a = 1 }}\n", "// ,\n".repeat(n)),
            format!("x = {{ a = \"$${{\" {} }}\n", "\n".repeat(n)),
            // A `for` expression, and blank lines, are no items.
            format!(
                "x = {{\n  for k, v in y :\n{}  k => v\n}}\n",
                "a\n".repeat(n)
            ),
            format!("x = {{\n{} a = 1 }}\n", "\n".repeat(n)),
        ];
        for text in shapes {
            assert_eq!(
                too_wide_object(&text, Syntax::Native),
                None,
                "{}",
                &text[..40]
            );
        }
    }
}
