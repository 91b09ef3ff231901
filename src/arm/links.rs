//! Linked templates: a deployment's `templateLink` that names a template file of the scan
//! (`relativePath`; a `uri` whose base is not known, such as the quickstarts'
//! `uri(parameters('_artifactsLocation'), 'nestedtemplates/vm.json')`; a URL into the linking
//! template's folder, one above it or its repository's root) is read from that file. Any other
//! URL names remote content: unknown.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use rayon::prelude::*;

use super::parse::Json;
use crate::discover::{LINKED_TEMPLATE_DEPTH, join_normalized, templates_under};
use crate::model::{Part, Value, ValueKind};
use crate::source::{FileKind, SourceDb};
use crate::span::FileId;

/// The `.json` paths and URLs a template's text mentions: the files it may link. A cheap
/// superset, so that linked files are found before any expression is evaluated. Linear in the
/// text: each byte is looked at once to find where a mention starts, and mentions longer than
/// a path can be are left out.
fn mentioned_paths(text: &str) -> impl Iterator<Item = &str> {
    let in_path = |c: char| c.is_ascii_alphanumeric() || "_./:-".contains(c);
    // Where the run of path characters that the last mention ended in starts, and how far the
    // text has been looked at for it.
    let (mut run_start, mut seen) = (0, 0);
    memchr::memmem::find_iter(text.as_bytes(), b".json").filter_map(move |at| {
        if let Some(i) = text[seen..at].rfind(|c: char| !in_path(c)) {
            run_start = seen + i + 1;
        }
        seen = at;
        let end = at + ".json".len();
        let cut = text[end..].starts_with(|c: char| c.is_ascii_alphanumeric());
        (!cut && end - run_start <= MAX_LINK_BYTES).then(|| &text[run_start..end])
    })
}

/// The longest link idlint reads: a path or URL with a query string. Longer text is not a link
/// (and reading it as one would cost time in its length for each of its segments).
const MAX_LINK_BYTES: usize = 4096;

/// Whether a template's text has a `templateLink`, in any case, as ARM reads property names.
pub fn may_link(text: &str) -> bool {
    // One pass over the text: most templates link nothing, and some are megabytes long.
    memchr::memmem::find_iter(text.as_bytes(), b"emplate").any(|at| {
        let before = at.checked_sub(1).map(|i| text.as_bytes()[i]);
        let after = text
            .as_bytes()
            .get(at + "emplate".len()..at + "emplateLink".len());
        matches!(before, Some(b't' | b'T'))
            && after.is_some_and(|a| a.eq_ignore_ascii_case(b"link"))
    })
}

/// The local files that a template at `from` (absolute) may mean by `mention`: a path relative
/// to its folder, or a URL whose path runs through a folder of the name of the template's own
/// folder or of one above it, followed by the file's path from there: the copy this repository
/// publishes. `.../master/vm-msi/nested/vm.json` linked from `vm-msi/azuredeploy.json` is
/// `vm-msi/nested/vm.json`. In a `raw.githubusercontent.com/<owner>/<repository>/<ref>/<path>`
/// URL the repository's name is followed by a branch or tag, so
/// `.../azure-quickstart-templates/master/modules/kv/1.0/azuredeploy.json` linked from
/// `azure-quickstart-templates/quickstarts/x/y/azuredeploy.json` is
/// `azure-quickstart-templates/modules/kv/1.0/azuredeploy.json`. The nearest folder comes first.
fn local_paths(from: &Path, mention: &str) -> Vec<PathBuf> {
    let Some(folder_path) = from.parent() else {
        return Vec::new();
    };
    if mention.len() > MAX_LINK_BYTES {
        return Vec::new();
    }
    let Some((_, url)) = mention.split_once("://") else {
        let relative = mention.strip_prefix('/').unwrap_or(mention);
        return vec![join_normalized(folder_path, relative)];
    };
    let path = url.split('?').next().unwrap_or_default();
    let mut segments = path.split('/');
    let raw_github = segments.next() == Some("raw.githubusercontent.com");
    let segments: Vec<&str> = segments.collect();
    let segments = &segments;
    let mut paths: Vec<PathBuf> = Vec::new();
    let through_folders = folder_path
        .ancestors()
        .take(LINK_FOLDERS_UP)
        .filter_map(|folder| Some((folder, folder.file_name()?.to_str()?)))
        .flat_map(|(folder, name)| {
            (0..segments.len())
                .filter(move |&i| segments[i] == name)
                .filter_map(move |i| {
                    let after_ref = raw_github && i == 1;
                    let rest = segments.get(i + 1 + usize::from(after_ref)..)?;
                    (!rest.is_empty()).then(|| join_normalized(folder, rest.join("/")))
                })
        });
    // The same file is often reached through two folders (`.../web/db/x.json` from `web/app/`).
    for path in through_folders.take(MAX_LINK_CANDIDATES) {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// How many folders, from a template's own up, a URL may name: deep enough for a repository's
/// root above `quickstarts/<provider>/<sample>/nested/`.
const LINK_FOLDERS_UP: usize = 6;

/// How many local files one URL may mean: a real one means one or two, and a URL such as
/// `https://host/a/a/a/...` linked from a folder `a` would otherwise mean one per segment.
const MAX_LINK_CANDIDATES: usize = 16;

/// The JSON files of a scan (templates and parameter files) by absolute, normalized path.
struct JsonFiles {
    cwd: PathBuf,
    by_path: foldhash::HashMap<PathBuf, FileId>,
}

impl JsonFiles {
    fn new(db: &SourceDb) -> JsonFiles {
        let cwd = std::env::current_dir().unwrap_or_default();
        let by_path = db
            .iter()
            .filter(|(_, file)| matches!(file.kind, FileKind::Json | FileKind::ArmParameters))
            .map(|(id, file)| (absolute(&cwd, &file.path), id))
            .collect();
        JsonFiles { cwd, by_path }
    }

    fn find(&self, db: &SourceDb, from: FileId, mention: &str) -> Option<FileId> {
        let from = absolute(&self.cwd, &db.get(from).path);
        local_paths(&from, mention)
            .iter()
            .find_map(|path| self.by_path.get(path).copied())
    }
}

/// `path` (as discovered) made absolute and normalized.
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    join_normalized(cwd, path)
}

/// Template and parameter files that `templates` (files of `db`) may link and `db` does not
/// hold: those they mention, and for a template with a `templateLink`, the templates under its
/// folder (a link is often assembled from pieces: `concat(variables('base'), 'nested/',
/// parameters('size'), '.json')`). A template named alone brings them along, as it brings its
/// parameter file. Each comes with its kind.
pub fn missing_files(db: &SourceDb, templates: &[FileId]) -> Vec<(PathBuf, FileKind)> {
    let files = JsonFiles::new(db);
    let mut missing: Vec<PathBuf> = templates
        .par_iter()
        .flat_map_iter(|&from| {
            let text = &db.get(from).text;
            if !may_link(text) {
                return Vec::new();
            }
            let from_path = absolute(&files.cwd, &db.get(from).path);
            let in_folder = from_path
                .parent()
                .map(|folder| templates_under(folder, LINKED_TEMPLATE_DEPTH))
                .unwrap_or_default();
            mentioned_paths(text)
                .flat_map(|mention| local_paths(&from_path, mention))
                .chain(in_folder.iter().map(|path| absolute(&files.cwd, path)))
                .filter(|path| !files.by_path.contains_key(path))
                .collect()
        })
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
        .into_iter()
        .filter_map(|path| match crate::discover::classify(&path) {
            Some(kind @ (FileKind::Json | FileKind::ArmParameters)) if path.is_file() => {
                Some((path, kind))
            }
            _ => None,
        })
        .collect()
}

/// Template files that may link `templates` (files of `db`) and `db` does not hold: the JSON
/// files beside each and in the two folders above it, where the quickstarts' callers sit
/// (`nestedtemplates/vm.json` is linked by `../azuredeploy.json`,
/// `nested/microsoft.sql/servers.json` by `../../azuredeploy.json`). [`may_link`] and
/// [`LinkNames`] tell which of them may.
pub fn caller_candidates(db: &SourceDb, templates: &[FileId]) -> Vec<PathBuf> {
    let files = JsonFiles::new(db);
    let mut folders: Vec<PathBuf> = templates
        .iter()
        .map(|&id| absolute(&files.cwd, &db.get(id).path))
        .flat_map(|path| {
            path.ancestors()
                .skip(1)
                .take(3)
                .map(Path::to_path_buf)
                .collect::<Vec<_>>()
        })
        .collect();
    folders.sort_unstable();
    folders.dedup();
    let mut candidates: Vec<PathBuf> = folders
        .iter()
        .flat_map(|folder| templates_under(folder, 1))
        .map(|path| absolute(&files.cwd, &path))
        .filter(|path| !files.by_path.contains_key(path))
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    candidates
}

/// What the text of a template that may link some files holds: one of their names without
/// `.json`, or a literal that ends in a beginning of one of them. A superset of the templates
/// that link those files, since a link's file name is often assembled from pieces
/// (`concat(variables('base'), variables('sharedTemplateName'), '.json')`,
/// `concat('nested/data-node-', parameters('size'), '.json')`). One that does not link them
/// after all is evaluated for nothing, unreported.
pub struct LinkNames {
    /// The stems, searched for at once: a pre-commit hook may name thousands of templates, and
    /// a caller can be megabytes. `None` when there are too many to search for (then any text
    /// may link them).
    stems: Option<AhoCorasick>,
    /// The beginnings of the stems that end at a separator, each followed by the quote that
    /// ends an expression's literal: `data-node-'` and `data-'` for `data-node-ds13`.
    literal_ends: Option<AhoCorasick>,
}

impl LinkNames {
    pub fn of(db: &SourceDb, templates: &[FileId]) -> LinkNames {
        let mut stems: Vec<String> = templates
            .iter()
            .filter_map(|&id| db.get(id).path.file_stem()?.to_str().map(str::to_string))
            .collect();
        stems.sort_unstable();
        stems.dedup();
        let mut literal_ends: Vec<String> = stems
            .iter()
            .flat_map(|stem| {
                stem.char_indices()
                    .filter(|&(i, c)| i >= 2 && matches!(c, '-' | '_' | '.'))
                    .map(move |(i, _)| format!("{}'", &stem[..=i]))
            })
            .collect();
        literal_ends.sort_unstable();
        literal_ends.dedup();
        // Leftmost-first: built in milliseconds where the standard kind took a second for
        // 20,000 names that are prefixes of each other (`t1`, `t10`, `t100`).
        let search = |patterns: &[String]| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(patterns)
                .ok()
        };
        LinkNames {
            stems: search(&stems),
            literal_ends: search(&literal_ends),
        }
    }

    /// Whether `text`, a template with a `templateLink`, may link one of the files: it names
    /// one, or has a literal that ends in a beginning of one's name as the start of a file name
    /// (`'data-node-'`, `'nested/data-node-'`).
    pub fn named_in(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let (Some(stems), Some(literal_ends)) = (&self.stems, &self.literal_ends) else {
            return true;
        };
        if stems.is_match(bytes) {
            return true;
        }
        // Every place where a literal end starts, leftmost first.
        let mut from = 0;
        while let Some(found) = literal_ends.find(Input::new(bytes).range(from..)) {
            if found.start() > 0 && matches!(bytes[found.start() - 1], b'/' | b'\'') {
                return true;
            }
            from = found.start() + 1;
        }
        false
    }
}

/// The file a `templateLink` names, as [`local_paths`] reads it: a known `relativePath`, a
/// known `uri`, or a `uri` whose base is not known followed by known text (up to a query
/// string), such as `uri(parameters('_artifactsLocation'), 'nestedtemplates/vm.json')`.
pub fn link_target(relative_path: Option<&Value>, uri: Option<&Value>) -> Option<String> {
    if let Some(path) = relative_path.and_then(Value::as_str) {
        return Some(path.to_string());
    }
    let uri = uri?;
    if let Some(url) = uri.as_str() {
        return Some(url.to_string());
    }
    let ValueKind::Template(parts) = &uri.kind else {
        return None;
    };
    let [Part::Hole(_), Part::Text(text), ..] = parts.as_slice() else {
        return None;
    };
    let path = text.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains("://")).then(|| path.to_string())
}

/// The templates and parameter files of a scan that deployments may link, each parsed once,
/// when first linked.
pub struct LinkedTemplates<'t> {
    db: &'t SourceDb,
    /// Built when a first link is followed: most templates link nothing.
    files: OnceLock<JsonFiles>,
    parsed: Vec<OnceLock<Option<Json<'t>>>>,
    parameters: Vec<OnceLock<Option<super::ParameterValues>>>,
}

impl<'t> LinkedTemplates<'t> {
    pub fn new(db: &'t SourceDb) -> Self {
        LinkedTemplates {
            db,
            files: OnceLock::new(),
            parsed: (0..db.len()).map(|_| OnceLock::new()).collect(),
            parameters: (0..db.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The values of the parameter file that a deployment in `from` links as `target` (its
    /// `parametersLink`); `None` when it is not a file of the scan or not valid.
    pub fn parameters(&self, from: FileId, target: &str) -> Option<&[(String, Value)]> {
        let files = self.files.get_or_init(|| JsonFiles::new(self.db));
        let file = files.find(self.db, from, target)?;
        let values = self.parameters.get(file.0 as usize)?.get_or_init(|| {
            // An invalid file gets its own IDL001 where it is scanned.
            super::parameter_values(self.db, file).ok()
        });
        values.as_deref()
    }

    /// The template that a deployment in `from` links as `target` (see [`link_target`]).
    pub fn get(&self, from: FileId, target: &str) -> Option<(FileId, &Json<'t>)> {
        let files = self.files.get_or_init(|| JsonFiles::new(self.db));
        let file = files.find(self.db, from, target)?;
        let template = self.parsed.get(file.0 as usize)?.get_or_init(|| {
            // An invalid file gets its own IDL001 where it is scanned.
            let (template, _) = super::open_template(self.db, file).ok()??;
            Some(template)
        });
        template.as_ref().map(|json| (file, json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn paths(from: &str, mention: &str) -> Vec<String> {
        local_paths(Path::new(from), mention)
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    #[test]
    fn link_names_are_names_or_literals_that_begin_them() {
        let mut db = SourceDb::default();
        let ids: Vec<FileId> = [
            "nested/data-node-ds13.json",
            "vm.json",
            "t1.json",
            "t10.json",
        ]
        .iter()
        .map(|path| {
            db.add(SourceFile::new(
                path.into(),
                FileKind::Json,
                String::new(),
                true,
            ))
        })
        .collect();
        let names = LinkNames::of(&db, &ids);
        assert!(names.named_in("[concat(parameters('base'), 'vm.json')]"));
        assert!(names.named_in("t10"));
        assert!(names.named_in("[concat('nested/data-node-', parameters('size'), '.json')]"));
        assert!(names.named_in("[concat('data-', parameters('size'), '.json')]"));
        // A literal end counts only at the start of a file name; the second one here does.
        assert!(!names.named_in("[concat('big-data-', parameters('size'))]"));
        assert!(names.named_in("'big-data-' 'data-node-'"));
        assert!(!names.named_in("[parameters('template')]"));
    }

    #[test]
    fn a_url_is_read_through_the_folders_of_the_linking_template() {
        let from = "/r/azure-quickstart-templates/quickstarts/web/app/azuredeploy.json";
        // Through the template's own folder, to a file below it.
        assert_eq!(
            paths(from, "https://example.com/x/master/app/nested/vm.json?sv=1"),
            ["/r/azure-quickstart-templates/quickstarts/web/app/nested/vm.json"]
        );
        // Through a folder above it (reached through `web` and `quickstarts`, named once).
        assert_eq!(
            paths(
                from,
                "https://example.com/quickstarts/web/db/azuredeploy.json"
            ),
            ["/r/azure-quickstart-templates/quickstarts/web/db/azuredeploy.json"]
        );
        // The repository of a raw GitHub URL, whose name is followed by a branch.
        assert_eq!(
            paths(
                from,
                "https://raw.githubusercontent.com/Azure/azure-quickstart-templates/master/modules/kv/1.0/azuredeploy.json"
            ),
            ["/r/azure-quickstart-templates/modules/kv/1.0/azuredeploy.json"]
        );
        // Elsewhere, the same segment is a folder like any other.
        assert_eq!(
            paths(
                from,
                "https://example.com/azure-quickstart-templates/master/kv.json"
            ),
            ["/r/azure-quickstart-templates/master/kv.json"]
        );
        // A URL through no folder of the template's names no local file.
        assert!(paths(from, "https://example.com/other/kv.json").is_empty());
        // A URL that ends at the folder names no file in it.
        assert!(paths(from, "https://example.com/x/app").is_empty());
        // A relative path is read from the template's folder.
        assert_eq!(
            paths(from, "/nested/vm.json"),
            ["/r/azure-quickstart-templates/quickstarts/web/app/nested/vm.json"]
        );
    }
}
