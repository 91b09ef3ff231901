//! Which files a scan reads: directories walked, files named on the command line.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::source::FileKind;

/// A file to read, and whether findings in it are reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Discovered {
    pub path: PathBuf,
    pub kind: FileKind,
    pub reported: bool,
}

/// The kind of a file by its name, or `None` when idlint does not read it.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".tf.json") {
        Some(FileKind::TerraformJson)
    } else if name.ends_with(".tf") {
        Some(FileKind::Terraform)
    } else if ["terraform.tfvars", "terraform.tfvars.json"].contains(&name)
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
    {
        Some(FileKind::TerraformVars)
    } else if name.ends_with(".parameters.json") {
        Some(FileKind::ArmParameters)
    } else if name.ends_with(".json") {
        Some(FileKind::Json)
    } else {
        None
    }
}

fn is_skipped_dir(name: &str) -> bool {
    matches!(name, ".git" | ".terraform" | "node_modules")
}

/// `base/relative` with `.` and `..` removed lexically, as module sources and template links
/// name files.
pub fn join_normalized(base: &Path, relative: impl AsRef<Path>) -> PathBuf {
    let mut out = PathBuf::new();
    for component in base.join(relative).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A walk of `root` that skips what [`walk`] skips.
fn walker(root: &Path) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .ignore(false)
        .parents(true)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry.file_name().to_str().is_some_and(is_skipped_dir))
        });
    builder
}

/// Walks `root` on all cores: `.git/`, `.terraform/`, `node_modules/` and `.gitignore`d paths
/// are skipped, and symlinks are not followed. The files come in no particular order.
pub fn walk(root: &Path, excluded: &(dyn Fn(&Path) -> bool + Sync)) -> Vec<Discovered> {
    let walker = walker(root)
        .threads(rayon::current_num_threads())
        .build_parallel();
    let found = std::sync::Mutex::new(Vec::new());
    walker.run(|| {
        let found = &found;
        Box::new(move |entry| {
            if let Ok(e) = entry
                && e.file_type().is_some_and(|t| t.is_file())
                && !excluded(e.path())
                && let Some(kind) = classify(e.path())
            {
                let file = Discovered {
                    path: e.into_path(),
                    kind,
                    reported: true,
                };
                found.lock().unwrap_or_else(|e| e.into_inner()).push(file);
            }
            ignore::WalkState::Continue
        })
    });
    found.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// How deep below a named template its linked templates are looked for, and how many entries
/// [`templates_under`] reads: linked templates sit a folder or two below the template that
/// links them, and a template named at the top of a large tree must not make a pre-commit run
/// walk all of it.
pub const LINKED_TEMPLATE_DEPTH: usize = 3;
const LINKED_TEMPLATE_ENTRIES: usize = 2000;

/// The JSON files (not parameter files) at most `depth` folders below `folder` (1: in it), as
/// [`walk`] would skip or find them: where a named template's linked templates may be.
pub fn templates_under(folder: &Path, depth: usize) -> Vec<PathBuf> {
    walker(folder)
        .max_depth(Some(depth))
        .build()
        .take(LINKED_TEMPLATE_ENTRIES)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| classify(path) == Some(FileKind::Json))
        .collect()
}

/// The files a scan of `paths` reads. A named Terraform file brings its module directory along
/// (unreported), and a named ARM template or parameter file its partner, so that references
/// resolve; only named files are reported.
pub fn discover(
    paths: &[PathBuf],
    excluded: &(dyn Fn(&Path) -> bool + Sync),
) -> Result<Vec<Discovered>, String> {
    let mut out: Vec<Discovered> = Vec::new();
    // A pre-commit hook names many files of one module: its directory is listed once.
    let mut module_dirs: HashSet<PathBuf> = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            out.extend(walk(path, excluded));
            continue;
        }
        let kind = classify(path).unwrap_or(FileKind::Json);
        out.push(Discovered {
            path: path.clone(),
            kind,
            reported: true,
        });
        match kind {
            FileKind::Terraform | FileKind::TerraformJson | FileKind::TerraformVars => {
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                if module_dirs.insert(dir.clone()) {
                    out.extend(module_files(&dir));
                }
            }
            // A template and its `X.parameters.json` are one unit, as in a directory scan:
            // either named brings the other along, so that a parameter value is resolved, and a
            // secret added to the parameter file is reported where the template uses it.
            FileKind::Json | FileKind::ArmParameters => {
                if let Some(partner) = arm_partner(path).filter(|p| p.is_file()) {
                    out.push(Discovered {
                        kind: classify(&partner).unwrap_or(FileKind::Json),
                        path: partner,
                        reported: false,
                    });
                }
            }
            FileKind::Config => {}
        }
    }
    out.extend(module_callers(&module_dirs, excluded));
    // Sorted in `Path`'s order, on a byte key built once per path: comparing `Path`s (or their
    // components) splits both at every comparison, which took 35 ms of serial time on the
    // corpus. The same file found twice (named and as a sibling) is kept once, reported if named.
    let mut keyed: Vec<(Vec<u8>, Discovered)> =
        out.into_iter().map(|d| (sort_key(&d.path), d)).collect();
    keyed.sort_by(|(key_a, a), (key_b, b)| key_a.cmp(key_b).then(b.reported.cmp(&a.reported)));
    keyed.dedup_by(|later, kept| later.0 == kept.0);
    Ok(keyed.into_iter().map(|(_, d)| d).collect())
}

/// How many folders above a named module's directory its callers are looked for in, up to the
/// repository's root (the folder that holds `.git`): a root module calls `./modules/x` or
/// `./modules/compute/x`, and a module its sibling (`../x`).
const CALLER_LEVELS: usize = 3;

/// How many folders below a named module its callers are looked for in (`examples/basic`,
/// `tests/e2e/basic`), and how many entries that walk reads.
const CALLER_DEPTH: usize = 3;
const CALLER_ENTRIES: usize = 2_000;

/// At most this many folders and Terraform files are read in the search for callers, and
/// this many rounds of callers of callers.
const MAX_CALLER_FOLDERS: usize = 200;
const MAX_CALLER_FILES: usize = 2_000;
const MAX_CALLER_ROUNDS: usize = 3;

/// The Terraform files (unreported) of the module directories that call one of the named
/// modules `dirs` through a local `source`, and of those that call these in turn: a module's
/// file named alone (the pre-commit case) is checked with the values its callers give it, as
/// in a scan of the whole repository. They are looked for in the folders above each module,
/// beside it and below it; a call the search finds that the parse does not confirm costs an
/// evaluation whose findings are not reported.
fn module_callers(
    dirs: &HashSet<PathBuf>,
    excluded: &(dyn Fn(&Path) -> bool + Sync),
) -> Vec<Discovered> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut called: HashSet<PathBuf> = dirs.iter().map(|d| join_normalized(&cwd, d)).collect();
    let mut included: HashSet<PathBuf> = called.clone();
    // Each folder read: its files, and the directories its local module sources name. A folder
    // read in one round may call the callers found in the next.
    let mut read: std::collections::BTreeMap<PathBuf, (Vec<Discovered>, Vec<PathBuf>)> =
        Default::default();
    let mut out = Vec::new();
    let mut files_read = 0;
    for _ in 0..MAX_CALLER_ROUNDS {
        // The folders above each module, nearest first, then those beside it, then those
        // below it (a module's `examples/` call it as `../..`): when the bounds cut the search
        // short, it is the nearest that were read. Each folder once, and the subfolders of each
        // parent once: a hook may name a file in each of thousands of modules of one folder.
        let mut called_in_order: Vec<&PathBuf> = called.iter().collect();
        called_in_order.sort();
        let mut ancestors = Vec::new();
        let mut parents: std::collections::BTreeSet<&Path> = Default::default();
        let mut descendants = Vec::new();
        for dir in called_in_order {
            // A repository's root has no callers above it: there are other repositories.
            if !dir.join(".git").exists() {
                for (level, folder) in dir.ancestors().skip(1).take(CALLER_LEVELS).enumerate() {
                    if level == 0 {
                        parents.insert(folder);
                    }
                    ancestors.push((level, folder.to_path_buf()));
                    if folder.join(".git").exists() {
                        break;
                    }
                }
            }
            descendants.extend(folders_under(dir));
        }
        ancestors.sort();
        descendants.sort();
        let mut listed = HashSet::new();
        let folders: Vec<PathBuf> = (ancestors.into_iter().map(|(_, folder)| folder))
            .chain(parents.into_iter().flat_map(subfolders))
            .chain(descendants.into_iter().map(|(_, folder)| folder))
            .filter(|folder| listed.insert(folder.clone()))
            .collect();
        let mut to_read = Vec::new();
        for folder in folders {
            if read.len() + to_read.len() >= MAX_CALLER_FOLDERS
                || read.contains_key(&folder)
                || included.contains(&folder)
                || excluded(&folder)
            {
                continue;
            }
            let files = module_files(&folder);
            files_read += files.len();
            if files_read > MAX_CALLER_FILES {
                break;
            }
            to_read.push((folder, files));
        }
        // On all cores: the folders above a module may hold hundreds of others.
        let sources: Vec<Vec<PathBuf>> = to_read
            .par_iter()
            .map(|(folder, files)| {
                let terraform = files.iter().filter(|file| {
                    matches!(file.kind, FileKind::Terraform | FileKind::TerraformJson)
                });
                terraform
                    .filter_map(|file| crate::source::read_source(&file.path, file.kind).ok())
                    .flat_map(|text| {
                        local_sources(&text)
                            .map(|source| join_normalized(folder, source))
                            .collect::<Vec<_>>()
                    })
                    .collect()
            })
            .collect();
        for ((folder, files), sources) in to_read.into_iter().zip(sources) {
            read.insert(folder, (files, sources));
        }
        let callers: HashSet<PathBuf> = read
            .iter()
            .filter(|(folder, (_, sources))| {
                !included.contains(*folder) && sources.iter().any(|s| called.contains(s))
            })
            .map(|(folder, _)| folder.clone())
            .collect();
        if callers.is_empty() {
            break;
        }
        for folder in &callers {
            included.insert(folder.clone());
            out.extend(read[folder].0.iter().cloned());
        }
        called = callers;
    }
    out
}

/// The immediate subfolders of `folder`, sorted.
fn subfolders(folder: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(folder).into_iter().flatten().flatten();
    let mut folders: Vec<PathBuf> = entries
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    folders.sort();
    folders
}

/// The folders at most [`CALLER_DEPTH`] levels below `folder`, each with its depth, as
/// [`walk`] would skip or enter them.
fn folders_under(folder: &Path) -> Vec<(usize, PathBuf)> {
    // Most modules have no folder below: a hook naming thousands of them sets up no walk.
    let mut entries = std::fs::read_dir(folder).into_iter().flatten().flatten();
    if !entries.any(|e| e.file_type().is_ok_and(|t| t.is_dir())) {
        return Vec::new();
    }
    walker(folder)
        .max_depth(Some(CALLER_DEPTH))
        .build()
        .take(CALLER_ENTRIES)
        .filter_map(Result::ok)
        .filter(|e| e.depth() > 0 && e.file_type().is_some_and(|t| t.is_dir()))
        .map(|e| (e.depth(), e.into_path()))
        .collect()
}

/// The local module sources written as `source = "./..."` or `"../..."`, or as JSON's
/// `"source": "..."`: a superset to be confirmed by the parse, read without it.
fn local_sources(text: &str) -> impl Iterator<Item = &str> {
    memchr::memmem::find_iter(text.as_bytes(), "source").filter_map(|at| {
        let rest = &text[at + "source".len()..];
        // The closing quote of a JSON key.
        let rest = rest.strip_prefix('"').unwrap_or(rest);
        let rest = rest
            .trim_start_matches([' ', '\t'])
            .strip_prefix(['=', ':'])?
            .trim_start_matches([' ', '\t'])
            .strip_prefix('"')?;
        let source = &rest[..rest.find('"')?];
        crate::terraform::modules::is_local_source(source).then_some(source)
    })
}

/// `X.parameters.json` for the template `X.json`, and `X.json` for `X.parameters.json`.
pub fn arm_partner(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let partner = match name.strip_suffix(".parameters.json") {
        Some(stem) => format!("{stem}.json"),
        None => format!("{}.parameters.json", name.strip_suffix(".json")?),
    };
    Some(path.with_file_name(partner))
}

/// The Terraform files of the module directory `dir`, unreported.
fn module_files(dir: &Path) -> Vec<Discovered> {
    let siblings = std::fs::read_dir(dir).into_iter().flatten().flatten();
    siblings
        .filter_map(|sibling| {
            let file = sibling.path();
            let kind = classify(&file)?;
            let is_terraform = matches!(
                kind,
                FileKind::Terraform | FileKind::TerraformJson | FileKind::TerraformVars
            );
            (is_terraform && sibling.file_type().is_ok_and(|t| t.is_file())).then_some(Discovered {
                path: file,
                kind,
                reported: false,
            })
        })
        .collect()
}

/// A key whose byte order is the order of `path`'s components, `.` left out: each component is
/// its variant's rank in `Component` and its bytes, closed by a 0 byte, which no component holds
/// and which sorts below every byte one can hold, so a shorter name sorts first.
fn sort_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for component in path.components() {
        let rank = match component {
            Component::Prefix(_) => 1,
            Component::RootDir => 2,
            Component::CurDir => continue,
            Component::ParentDir => 4,
            Component::Normal(_) => 5,
        };
        key.push(rank);
        if let Component::Prefix(_) | Component::Normal(_) = component {
            key.extend_from_slice(component.as_os_str().as_encoded_bytes());
        }
        key.push(0);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_paths_lose_dot_components() {
        assert_eq!(
            join_normalized(Path::new("a/b/examples"), "../../"),
            PathBuf::from("a")
        );
        assert_eq!(
            join_normalized(Path::new("a/b"), "./modules/x"),
            PathBuf::from("a/b/modules/x")
        );
    }

    #[test]
    fn local_sources_are_read_wherever_the_call_writes_them() {
        let text = r#"module "a" { source = "../a" }
module "b" {
  count  = 1
  source ="./b"
}
module "remote" {
  source = "Azure/avm-res-web-site/azurerm"
}
resource "x" "y" {}
{"module": {"c": {"source": "../../c", "n": 1}}}
"source" : "./d"
"#;
        assert_eq!(
            local_sources(text).collect::<Vec<_>>(),
            ["../a", "./b", "../../c", "./d"]
        );
    }

    #[test]
    fn sort_keys_order_paths_as_their_components_do() {
        let paths = [
            "a/b", "a.c", "a", "a/b/c", "/a", "/", "../a", "a/../b", "./a/b", "a/./b", "ab",
            "a/b.tf", "a/b-c", "a-b/c", "A/b", "a//b", "z", "\u{e9}/x", "a/b/", "..", "a\u{1}b",
        ];
        fn components(p: &str) -> Vec<Component<'_>> {
            Path::new(p)
                .components()
                .filter(|c| *c != Component::CurDir)
                .collect()
        }
        for a in paths {
            for b in paths {
                assert_eq!(
                    sort_key(Path::new(a)).cmp(&sort_key(Path::new(b))),
                    components(a).cmp(&components(b)),
                    "{a} vs {b}"
                );
            }
        }
    }
}
