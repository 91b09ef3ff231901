//! The Terraform front end: HCL with spans (hcl-edit), resolution, lowering into the model.
//!
//! Files are parsed once each, in parallel ([`parse`]). One directory is one module
//! ([`modules`]); directories no other scanned directory calls are roots, and each root becomes
//! one model: its local module calls are instantiated recursively ([`eval`]) and everything is
//! lowered into the model ([`lower`]). A scanned directory no evaluation instantiated becomes a
//! root in turn.

pub mod ast;
pub mod eval;
pub mod functions;
pub mod lower;
pub mod modules;
pub mod parse;
pub mod prescan;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::join_normalized;
use crate::frontend::Loaded;
use crate::model::Model;
use crate::source::{FileKind, SourceDb, SourceFile};
use crate::span::FileId;
use modules::{ModuleDef, is_local_source, module_source};
use parse::Parsed;

/// At most this many module directories outside the scan are loaded.
const MAX_EXTERNAL_DIRS: usize = 512;
/// Module files larger than this are not loaded from outside the scan.
const MAX_EXTERNAL_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// A module directory: its files, and whether it was part of the scan.
struct Dir {
    path: PathBuf,
    files: Vec<FileId>,
    scanned: bool,
}

/// Builds one model per root module among `files`; `var_files` are `--var-file` values.
pub fn load(db: &mut SourceDb, files: &[FileId], var_files: &[FileId]) -> Loaded {
    load_each(db, files, var_files, &|model| model)
}

/// As [`load`], handing each model to `each` as soon as it is built, so that a scan need not
/// hold every model at once. Module directories outside the scan that local module calls name
/// are added to `db` (unreported).
pub fn load_each<R: Send>(
    db: &mut SourceDb,
    files: &[FileId],
    var_files: &[FileId],
    each: &(dyn Fn(Model) -> R + Sync),
) -> Loaded<R> {
    let prepared = prepare(db, files, var_files);
    let db: &SourceDb = db;
    crate::frontend::on_deep_stacks(|| prepared.build(db, each))
}

/// The scanned Terraform parsed, grouped into module directories, with the directories outside
/// the scan that local module calls name: everything [`Prepared::build`] evaluates.
struct Prepared<R> {
    parsed: HashMap<FileId, Parsed>,
    dirs: Vec<Dir>,
    /// `(calling directory, module call name)` → called directory.
    calls: HashMap<(usize, String), usize>,
    edges: BTreeMap<usize, Vec<usize>>,
    var_files: Vec<FileId>,
    /// What parsing found (invalid files, internal errors, suppressions); `build` adds the
    /// models.
    loaded: Loaded<R>,
}

/// Parses `files` and `var_files` in parallel and follows local module sources, adding module
/// directories outside the scan to `db` (unreported).
fn prepare<R>(db: &mut SourceDb, files: &[FileId], var_files: &[FileId]) -> Prepared<R> {
    let mut loaded = Loaded::default();
    let mut parsed: HashMap<FileId, Parsed> = HashMap::new();
    let all: Vec<FileId> = files.iter().chain(var_files).copied().collect();
    parse_into(db, &all, &mut parsed, &mut loaded);

    // Group the scanned files by directory (canonicalized once per parent directory).
    let mut dirs: Vec<Dir> = Vec::new();
    let mut dir_index: HashMap<PathBuf, usize> = HashMap::new();
    let mut canonical: HashMap<&Path, PathBuf> = HashMap::new();
    for &id in files {
        let path = &db.get(id).path;
        let dir = match path.parent() {
            Some(parent) => canonical
                .entry(parent)
                .or_insert_with(|| directory_of(path))
                .clone(),
            None => directory_of(path),
        };
        let index = *dir_index.entry(dir.clone()).or_insert_with(|| {
            dirs.push(Dir {
                path: dir,
                files: Vec::new(),
                scanned: true,
            });
            dirs.len() - 1
        });
        dirs[index].files.push(id);
    }

    // Follow local module sources, loading directories outside the scan.
    let mut edges: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut calls: HashMap<(usize, String), usize> = HashMap::new();
    let mut external = 0;
    let mut next = 0;
    while next < dirs.len() {
        // A scanned directory none of whose files is reported holds a caller of a named module
        // (the pre-commit case): it is read for the values it passes, so only its calls of
        // scanned directories are followed, not the whole module tree it calls.
        let caller_only =
            dirs[next].scanned && !dirs[next].files.iter().any(|&id| db.get(id).reported);
        let mut targets: Vec<(String, PathBuf)> = Vec::new();
        for id in &dirs[next].files {
            let Some(p) = parsed.get(id) else { continue };
            for block in p.body.blocks("module") {
                if let Some(source) = module_source(block).filter(|s| is_local_source(s)) {
                    let target = directory_of(&join_normalized(&dirs[next].path, source));
                    targets.push((block.label(0).to_string(), target));
                }
            }
        }
        for (name, target) in targets {
            let index = match dir_index.get(&target) {
                Some(&i) if !caller_only || dirs[i].scanned => Some(i),
                Some(_) => None,
                None if !caller_only && external < MAX_EXTERNAL_DIRS && target.is_dir() => {
                    external += 1;
                    let new_files = add_directory(db, &target);
                    parse_into(db, &new_files, &mut parsed, &mut Loaded::<()>::default());
                    dirs.push(Dir {
                        path: target.clone(),
                        files: new_files,
                        scanned: false,
                    });
                    dir_index.insert(target, dirs.len() - 1);
                    Some(dirs.len() - 1)
                }
                None => None,
            };
            if let Some(index) = index {
                edges.entry(next).or_default().push(index);
                calls.insert((next, name), index);
            }
        }
        next += 1;
    }
    Prepared {
        parsed,
        dirs,
        calls,
        edges,
        var_files: var_files.to_vec(),
        loaded,
    }
}

impl<R: Send> Prepared<R> {
    /// Evaluates every root module into a model, in parallel, and hands each to `each` as soon
    /// as it is built. Evaluation recurses through references: run it on
    /// [`crate::frontend::on_deep_stacks`].
    fn build(self, db: &SourceDb, each: &(dyn Fn(Model) -> R + Sync)) -> Loaded<R> {
        let Prepared {
            parsed,
            dirs,
            calls,
            edges,
            var_files,
            mut loaded,
        } = self;
        let mut defs: Vec<ModuleDef<'_>> = Vec::with_capacity(dirs.len());
        for dir in &dirs {
            let mut def = ModuleDef::new(dir.path.clone());
            let mut tfvars: Vec<(&str, &ast::Body)> = Vec::new();
            for id in &dir.files {
                let Some(p) = parsed.get(id) else { continue };
                let file = db.get(*id);
                match file.kind {
                    FileKind::TerraformVars => {
                        let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        tfvars.push((name, &p.body));
                    }
                    _ => def.add_body(&p.body),
                }
            }
            // terraform.tfvars and terraform.tfvars.json first, then *.auto.tfvars and
            // *.auto.tfvars.json in lexical order.
            tfvars.sort_by_key(|(name, _)| (!name.starts_with("terraform.tfvars"), *name));
            def.tfvars = tfvars.into_iter().map(|(_, b)| b).collect();
            defs.push(def);
        }
        for ((from, name), to) in &calls {
            if let Some(block) = defs[*from].module_call(name) {
                defs[*from].children.insert(block.label(0), *to);
            }
        }

        let has_config = |i: &usize| {
            dirs[*i].files.iter().any(|id| {
                matches!(
                    db.get(*id).kind,
                    FileKind::Terraform | FileKind::TerraformJson
                )
            })
        };
        // Scanned directories are numbered first.
        let scanned: Vec<usize> = (0..dirs.len())
            .filter(|&i| dirs[i].scanned)
            .filter(has_config)
            .collect();
        let var_bodies: Vec<&ast::Body> = var_files
            .iter()
            .filter_map(|id| parsed.get(id).map(|p| &p.body))
            .collect();
        let defs = &defs;
        let var_bodies = &var_bodies;
        // What `each` made of a root's model, and the module directories its evaluation
        // instantiated; a panic is reported on the root's first file.
        let build = |root: usize| -> Result<(R, Vec<usize>), Box<crate::diagnostic::Diagnostic>> {
            let first_file = dirs[root].files[0];
            crate::isolate::isolated(db, first_file, "while checking this module", || {
                for id in &dirs[root].files {
                    crate::isolate::inject_fault(&db.get(*id).text, "idlint-test-fault-module");
                }
                let mut ev = eval::Evaluator::new(db, defs, root);
                let mut values: Vec<&ast::Body> = defs[root].tfvars.clone();
                values.extend(var_bodies.iter().copied());
                ev.set_root_values(&values);
                lower::build(&mut ev);
                let instantiated = ev.instances.iter().map(|i| i.module).collect();
                (each(ev.model), instantiated)
            })
        };
        // The roots first. Then a scanned module that no evaluation instantiated (every call of
        // it has `count = 0` or an empty `for_each`, as in a module library whose root is
        // configured elsewhere) is checked on its own, as it is when one of its files is named
        // alone: its code is checked in a full scan too. Outermost first, round by round, so
        // that its own calls instantiate their modules before those count as left out.
        let mut order = modules::RootOrder::new(dirs.len(), &scanned, &edges);
        loop {
            let mut round = order.next_round();
            if round.is_empty() {
                break;
            }
            round.sort_by(|a, b| dirs[*a].path.cmp(&dirs[*b].path));
            let built: Vec<_> = round.par_iter().map(|&r| (r, build(r))).collect();
            for (root, result) in built {
                match result {
                    Ok((output, instantiated)) => {
                        instantiated.into_iter().for_each(|dir| order.settle(dir));
                        loaded.models.push(output);
                    }
                    // Settled, or the next round would pick it again; the modules it calls are
                    // then checked on their own.
                    Err(internal_error) => {
                        order.settle(root);
                        loaded.internal_errors.push(*internal_error);
                    }
                }
            }
        }
        loaded
    }
}

fn parse_into<M>(
    db: &SourceDb,
    ids: &[FileId],
    parsed: &mut HashMap<FileId, Parsed>,
    problems: &mut Loaded<M>,
) {
    let results: Vec<_> = ids
        .par_iter()
        .map(|&id| {
            let file = db.get(id);
            let syntax = parse::Syntax::of(&file.path, file.kind);
            let result = crate::isolate::isolated(db, id, "while parsing this file", || {
                crate::isolate::inject_fault(&file.text, "idlint-test-fault-parse");
                parse::parse(id, &file.text, syntax, &file.display)
            });
            (id, result)
        })
        .collect();
    for (id, result) in results {
        match result {
            Ok(Ok(p)) => {
                problems.suppressions.extend(p.suppressions.iter().cloned());
                parsed.insert(id, p);
            }
            Ok(Err(invalid)) => problems.invalid_files.push(*invalid),
            Err(internal_error) => problems.internal_errors.push(*internal_error),
        }
    }
}

/// The directory of a file (or a directory itself), canonical when possible so that two
/// spellings of one module directory are one module.
fn directory_of(path: &Path) -> PathBuf {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// Reads the `.tf` and `.tf.json` files of a module directory outside the scan into the db,
/// unreported.
fn add_directory(db: &mut SourceDb, dir: &Path) -> Vec<FileId> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    paths.sort();
    let mut ids = Vec::new();
    for path in paths {
        let kind = match crate::discover::classify(&path) {
            Some(k @ (FileKind::Terraform | FileKind::TerraformJson)) => k,
            _ => continue,
        };
        let too_big = std::fs::metadata(&path).map_or(true, |m| m.len() > MAX_EXTERNAL_FILE_BYTES);
        if too_big {
            continue;
        }
        let Ok(text) = crate::source::read_source(&path, kind) else {
            continue;
        };
        ids.push(db.add(SourceFile::new(path, kind, text, false)));
    }
    ids
}
