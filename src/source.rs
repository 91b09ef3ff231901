//! The texts of every file a scan reads, and line/column lookup for reporters.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::span::{FileId, Span};

/// What a file is, as discovery classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// `*.tf`
    Terraform,
    /// `*.tf.json`
    TerraformJson,
    /// `terraform.tfvars`, `*.auto.tfvars`, `--var-file`, and their `.json` forms
    TerraformVars,
    /// A JSON file that may be an ARM deployment template.
    Json,
    /// `*.parameters.json` or `--parameters`
    ArmParameters,
    /// The `.idlint.hcl` config.
    Config,
}

#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as reports print it: relative to the working directory when possible, with `/`.
    pub display: String,
    pub kind: FileKind,
    pub text: String,
    /// Whether findings in this file are reported (false for files loaded only to resolve references).
    pub reported: bool,
    /// Computed on first use: most files never have a finding to place.
    lines: std::sync::OnceLock<Lines>,
}

/// Where each line of a file starts, and how many characters precede each chunk of it.
#[derive(Debug)]
struct Lines {
    starts: Vec<u32>,
    /// The characters before byte `k * CHUNK_BYTES`, for each `k`; `None` when the file is
    /// ASCII, so that bytes are characters. A minified template is one line of megabytes:
    /// counting a column's characters from the line's start took time in the square.
    chars_before_chunk: Option<Vec<u32>>,
}

const CHUNK_BYTES: usize = 4096;

/// The characters that start in `bytes`: every byte but UTF-8 continuation bytes.
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl SourceFile {
    pub fn new(path: PathBuf, kind: FileKind, text: String, reported: bool) -> SourceFile {
        let display = display_path(&path);
        SourceFile {
            path,
            display,
            kind,
            text,
            reported,
            lines: std::sync::OnceLock::new(),
        }
    }

    /// Builds the table of where lines start now, so that placing findings later does not.
    pub fn index_lines(&self) {
        self.lines();
    }

    fn lines(&self) -> &Lines {
        self.lines.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1));
            let bytes = self.text.as_bytes();
            let chars_before_chunk = (!bytes.is_ascii()).then(|| {
                let mut before = 0;
                std::iter::once(0)
                    .chain(bytes.chunks(CHUNK_BYTES).map(|chunk| {
                        before += char_starts(chunk) as u32;
                        before
                    }))
                    .collect()
            });
            Lines {
                starts,
                chars_before_chunk,
            }
        })
    }

    /// The characters of the file before byte `offset`, a character boundary.
    fn chars_before(&self, chars_before_chunk: &[u32], offset: usize) -> usize {
        let chunk = offset / CHUNK_BYTES;
        let counted = chars_before_chunk[chunk] as usize;
        counted + char_starts(&self.text.as_bytes()[chunk * CHUNK_BYTES..offset])
    }

    fn line_starts(&self) -> &[u32] {
        &self.lines().starts
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset.min(self.text.len() as u32);
        let lines = self.lines();
        let line = lines.starts.partition_point(|&s| s <= offset) - 1;
        let start = lines.starts[line] as usize;
        let Some(chars_before_chunk) = &lines.chars_before_chunk else {
            return (line + 1, offset as usize - start + 1);
        };
        let mut end = offset as usize;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let characters = if end - start <= 2 * CHUNK_BYTES {
            char_starts(&self.text.as_bytes()[start..end])
        } else {
            self.chars_before(chars_before_chunk, end)
                - self.chars_before(chars_before_chunk, start)
        };
        (line + 1, characters + 1)
    }

    /// Byte offset where a one-based line starts (the file's length past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts()
            .get(line.wrapping_sub(1))
            .map_or(self.text.len(), |&s| s as usize)
    }

    /// The text of a one-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let line_starts = self.line_starts();
        let Some(&start) = line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// Every file of a scan, indexed by [`FileId`]. A clone shares the files: the ARM front end
/// reads a clone while the Terraform one adds the module directories it finds to the original.
#[derive(Debug, Default, Clone)]
pub struct SourceDb {
    files: Vec<Arc<SourceFile>>,
}

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(Arc::new(file));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), &**f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// `path` relative to the working directory when it lies below it, always with `/`.
pub fn display_path(path: &Path) -> String {
    // The working directory is asked once: a scan names thousands of files.
    static CWD: std::sync::LazyLock<Option<PathBuf>> =
        std::sync::LazyLock::new(|| std::env::current_dir().ok());
    let relative = CWD
        .as_deref()
        .and_then(|cwd| {
            let absolute = if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            };
            absolute.strip_prefix(cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Files larger than this are reported, not read: no real template comes close.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

impl FileKind {
    /// Whether the file may be UTF-16 text. The Azure CLI and PowerShell read a template or
    /// parameter file saved as UTF-16 (as Windows PowerShell's `Out-File` writes it), so
    /// Azure deploys it; Terraform reads only UTF-8.
    fn may_be_utf16(self) -> bool {
        matches!(self, FileKind::Json | FileKind::ArmParameters)
    }
}

/// The text of a file of the scan, as [`read_text`] reads it; a JSON file that may be an ARM
/// template or parameter file may also be UTF-16.
pub fn read_source(path: &Path, kind: FileKind) -> Result<String, String> {
    let utf16 = if kind.may_be_utf16() {
        Utf16::Decode
    } else {
        Utf16::Refuse("Terraform reads UTF-8 only")
    };
    read(path, "the file", utf16)
}

/// The text of a file, bounded to [`MAX_FILE_BYTES`]: a device or a growing file is not read
/// without end. Errors say why it is not text, calling it `what` ("the file", "the config").
pub fn read_text(path: &Path, what: &str) -> Result<String, String> {
    read(path, what, Utf16::Refuse("idlint reads it as UTF-8 only"))
}

/// What [`read`] does with UTF-16 text.
enum Utf16 {
    Decode,
    /// Refuses it, saying why.
    Refuse(&'static str),
}

/// Opens `path` to read it. A FIFO is opened without waiting for a writer, which a plain open
/// does for ever when none comes: one without a writer then reads as empty, and a pipe with one
/// (`idlint check <(command)`) is read to its end.
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        // Reads wait for data again, so that a writer's pipe is read whole.
        let fd = file.as_raw_fd();
        // SAFETY: `fd` is the open descriptor `file` owns; F_GETFL and F_SETFL only read and
        // set its status flags.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(file)
    }
    #[cfg(not(target_os = "linux"))]
    std::fs::File::open(path)
}

fn read(path: &Path, what: &str, utf16: Utf16) -> Result<String, String> {
    use std::io::Read;
    let cannot_read = |e: std::io::Error| format!("cannot read {what}: {e}");
    // The size comes from the open handle, not from a second lookup of the path.
    let file = open_without_waiting(path).map_err(cannot_read)?;
    let len = file.metadata().map_err(cannot_read)?.len();
    let limit = MAX_FILE_BYTES / 1_000_000;
    if len > MAX_FILE_BYTES {
        let size = len / 1_000_000;
        return Err(format!(
            "{what} is {size} MB, over the {limit} MB idlint reads"
        ));
    }
    // Bounded, for a file that grows while it is read.
    let mut bytes = Vec::with_capacity(len as usize + 1);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        // A device or a file that grew while it was read: its size is not known.
        return Err(format!("{what} goes on past the {limit} MB idlint reads"));
    }
    let mut text = match (utf16_order(&bytes), utf16) {
        (Some(order), Utf16::Decode) => decode_utf16(&bytes, order).map_err(|offset| {
            format!("{what} is not UTF-16 text (invalid byte at offset {offset})")
        })?,
        (Some(_), Utf16::Refuse(why)) => return Err(format!("{what} is UTF-16 text: {why}")),
        (None, _) => String::from_utf8(bytes).map_err(|e| {
            format!(
                "{what} is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            )
        })?,
    };
    // The memchr crate, not `str::contains`: this reads every byte of the scan, and core's
    // search took 1.7 % of the instructions of a scan of `arm/`.
    if memchr::memchr(0, text.as_bytes()).is_some() {
        return Err(format!("{what} contains NUL bytes: not a text file"));
    }
    // A byte order mark is not part of either language, nor a column an editor counts.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// The byte order of UTF-16 text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ByteOrder {
    Little,
    Big,
}

/// Whether `bytes` are UTF-16 text, and in which order: by its byte order mark, or else by
/// where the NUL bytes fall in its first two characters, which are ASCII in any JSON text
/// (RFC 4627, section 3; a UTF-8 text holds no NUL, and four NULs in a row are UTF-32).
fn utf16_order(bytes: &[u8]) -> Option<ByteOrder> {
    match bytes {
        [0xff, 0xfe, 0, 0, ..] => None,
        [0xff, 0xfe, ..] => Some(ByteOrder::Little),
        [0xfe, 0xff, ..] => Some(ByteOrder::Big),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some(ByteOrder::Little),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some(ByteOrder::Big),
        _ => None,
    }
}

/// UTF-16 text as UTF-8. `Err` holds the offset of the first byte that is not UTF-16: a lone
/// surrogate or a last odd byte.
fn decode_utf16(bytes: &[u8], order: ByteOrder) -> Result<String, usize> {
    let units = bytes.chunks_exact(2).map(|pair| match order {
        ByteOrder::Little => u16::from_le_bytes([pair[0], pair[1]]),
        ByteOrder::Big => u16::from_be_bytes([pair[0], pair[1]]),
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut at = 0;
    for c in char::decode_utf16(units) {
        let c = c.map_err(|_| at)?;
        at += 2 * c.len_utf16();
        text.push(c);
    }
    if bytes.len() % 2 == 1 {
        return Err(bytes.len() - 1);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_is_told_from_utf8_and_utf32() {
        let utf32_le = [b'{', 0, 0, 0, b'}', 0, 0, 0];
        let utf32_be = [0, 0, 0, b'{', 0, 0, 0, b'}'];
        for bytes in [
            &b"{}"[..],
            b"\xef\xbb\xbf{}",
            &[0xff, 0xfe, 0, 0],
            &utf32_le,
            &utf32_be,
        ] {
            assert_eq!(utf16_order(bytes), None, "{bytes:?}");
        }
        assert_eq!(utf16_order(b"{\0}\0"), Some(ByteOrder::Little));
        assert_eq!(utf16_order(b"\0{\0}"), Some(ByteOrder::Big));
        assert_eq!(utf16_order(&[0xfe, 0xff]), Some(ByteOrder::Big));
    }

    #[test]
    fn columns_count_characters_across_chunks() {
        // Lines short and longer than several chunks, with characters of one to four bytes
        // that straddle the chunk boundaries.
        let mut text = String::from("ab\nçd\n");
        for i in 0..6000 {
            text.push(['a', 'é', '€', '𝄞'][i % 4]);
        }
        text.push('\n');
        text.push_str(&"x".repeat(9000));
        text.push_str("ü\n\nend");
        let file = SourceFile::new("t.json".into(), FileKind::Json, text.clone(), true);
        // Counted the slow way: a byte inside a character has that character's column.
        let (mut line, mut column) = (1, 1);
        for (start, c) in text.char_indices() {
            for offset in start..start + c.len_utf8() {
                assert_eq!(
                    file.line_col(offset as u32),
                    (line, column),
                    "byte {offset}"
                );
            }
            (line, column) = if c == '\n' {
                (line + 1, 1)
            } else {
                (line, column + 1)
            };
        }
        assert_eq!(file.line_col(text.len() as u32 + 2), (line, column));
    }
}
