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

/// Where each line of a file starts, and whether it is ASCII.
#[derive(Debug)]
struct Lines {
    starts: Vec<u32>,
    ascii: Vec<bool>,
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

    fn lines(&self) -> &Lines {
        self.lines.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1));
            let bounds = starts.iter().map(|&s| s as usize).chain([self.text.len()]);
            let ascii = bounds
                .clone()
                .zip(bounds.skip(1))
                .map(|(start, end)| self.text.as_bytes()[start..end.max(start)].is_ascii())
                .collect();
            Lines { starts, ascii }
        })
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
        // On an ASCII line, bytes are characters: a minified template is one line of
        // megabytes, and counting its characters for each finding took time in the square.
        if lines.ascii[line] {
            return (line + 1, offset as usize - start + 1);
        }
        let mut end = offset as usize;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        (line + 1, column)
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
