//! The ARM front end: JSON templates with spans (jsonc-parser), the expression evaluator,
//! lowering into the model.

pub mod eval;
pub mod expr;
pub mod links;
pub mod lower;
pub mod parse;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Label};
use crate::frontend::Loaded;
use crate::model::{Model, Value};
use crate::source::{FileKind, SourceDb};
use crate::span::{FileId, Span};

/// Builds one model per deployment template among `files`; `parameter_files` are
/// `--parameters` values.
pub fn load(db: &SourceDb, files: &[FileId], parameter_files: &[FileId]) -> Loaded {
    load_each(db, files, parameter_files, &|model| model)
}

/// As [`load`], handing each model to `each` as soon as it is built (in no set order), so that a
/// scan need not hold every template's model at once. Returns what `each` returned, in file
/// order.
pub fn load_each<R: Send>(
    db: &SourceDb,
    files: &[FileId],
    parameter_files: &[FileId],
    each: &(dyn Fn(Model) -> R + Sync),
) -> Loaded<R> {
    crate::frontend::on_deep_stacks(|| load_all(db, files, parameter_files, each))
}

/// What became of one template file.
struct TemplateResult<R> {
    /// The file's place in the scan's order.
    index: usize,
    id: FileId,
    /// What `each` made of its model; `None` when it is no template, was skipped, or is
    /// reported through a template that links it (see [`Finished`]).
    output: Option<R>,
    /// Whether it was skipped as linked by another template, unevaluated.
    skipped: bool,
    invalid_files: Vec<Diagnostic>,
    internal_error: Option<Diagnostic>,
}

fn load_all<R: Send>(
    db: &SourceDb,
    files: &[FileId],
    parameter_files: &[FileId],
    each: &(dyn Fn(Model) -> R + Sync),
) -> Loaded<R> {
    let mut loaded = Loaded::default();
    let siblings: HashMap<PathBuf, FileId> = files
        .iter()
        .filter(|&&id| db.get(id).kind == FileKind::ArmParameters)
        .map(|&id| (db.get(id).path.clone(), id))
        .collect();
    let mut explicit: ParameterValues = Vec::new();
    for &id in parameter_files {
        let what = "while reading this parameter file";
        match crate::isolate::isolated(db, id, what, || parameter_values(db, id)) {
            Ok(Ok(values)) => explicit.extend(values),
            Ok(Err(invalid)) => loaded.invalid_files.push(*invalid),
            Err(internal_error) => loaded.internal_errors.push(*internal_error),
        }
    }
    // Largest first, so that no big template starts last while the other cores sit idle;
    // results are put back in file order.
    let mut templates: Vec<(usize, FileId)> = files
        .iter()
        .copied()
        .filter(|&id| db.get(id).kind == FileKind::Json)
        .enumerate()
        .collect();
    templates.sort_by_key(|&(_, id)| std::cmp::Reverse(db.get(id).text.len()));
    let linked = links::LinkedTemplates::new(db);
    // Templates that may link others go first, and each worker takes the next template in
    // that order: a template that links nothing and that one of them linked is then skipped,
    // rather than evaluated on its own only for its findings to be dropped below. Skipping it
    // leaves the output as it would be: only its parameter file's problems remain.
    let (mut order, rest): (Vec<_>, Vec<_>) = templates
        .into_iter()
        .partition(|&(_, id)| links::may_link(&db.get(id).text));
    let linking = order.len();
    order.extend(rest);
    let linked_so_far = Mutex::new(HashSet::new());
    let finished = Mutex::new(Finished::default());
    let sibling_of = |id: FileId| {
        crate::discover::arm_partner(&db.get(id).path)
            .and_then(|p| siblings.get(&p))
            .copied()
    };
    let mut results: Vec<TemplateResult<R>> = order
        .into_iter()
        .enumerate()
        .par_bridge()
        .map(|(position, (index, id))| {
            let sibling = sibling_of(id);
            let checked = crate::isolate::isolated(db, id, "while checking this template", || {
                if position >= linking && lock(&linked_so_far).contains(&id) {
                    let invalid = sibling.and_then(|s| parameter_values(db, s).err());
                    let invalid = invalid.map(|d| *d).into_iter().collect();
                    return (true, invalid);
                }
                let (model, linked_files, invalid_files) =
                    load_template(db, id, sibling, &explicit, &linked);
                lock(&linked_so_far).extend(linked_files.followed.iter().copied());
                if let Some(model) = model {
                    let output = each(model);
                    lock(&finished).add(id, linked_files, output);
                }
                (false, invalid_files)
            });
            let ((skipped, invalid_files), internal_error) = match checked {
                Ok(checked) => (checked, None),
                Err(internal_error) => ((false, Vec::new()), Some(*internal_error)),
            };
            TemplateResult {
                index,
                id,
                output: None,
                skipped,
                invalid_files,
                internal_error,
            }
        })
        .collect();
    let Finished {
        links, mut outputs, ..
    } = finished
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for result in &mut results {
        result.output = outputs.remove(&result.id);
    }
    results.sort_unstable_by_key(|result| result.index);
    // A template that another one links is checked there, with the parameters it is given,
    // and not again on its own defaults; templates that link each other are all checked.
    let mut linked_elsewhere = HashSet::new();
    for (from, linked) in &links {
        for to in &linked.followed {
            if !links
                .get(to)
                .is_some_and(|back| back.followed.contains(from))
            {
                linked_elsewhere.insert(*to);
            }
        }
    }
    let cut_off = cut_off_templates(&results, &links, &linked_elsewhere);
    for mut result in results {
        if cut_off.contains(&result.id)
            && result.output.is_none()
            && (result.skipped || links.contains_key(&result.id))
        {
            // Skipped as linked, or its findings dropped as reported through its caller, by a
            // template that is itself reported only through its own: evaluated now, so that
            // its findings are reported.
            let id = result.id;
            let checked = crate::isolate::isolated(db, id, "while checking this template", || {
                let (model, _, _) = load_template(db, id, sibling_of(id), &explicit, &linked);
                model.map(each)
            });
            match checked {
                Ok(output) => result.output = output,
                Err(internal_error) => loaded.internal_errors.push(*internal_error),
            }
        }
        if !linked_elsewhere.contains(&result.id) || cut_off.contains(&result.id) {
            loaded.models.extend(result.output);
        }
        loaded.invalid_files.extend(result.invalid_files);
        loaded.internal_errors.extend(result.internal_error);
    }
    loaded
}

/// The outputs of the templates evaluated so far, and the files they linked. A template that
/// another links, and that does not link it back, is reported through that one: its own
/// output is dropped as soon as both are done, rather than held to the end. A chain of
/// templates each linking the next would otherwise hold the findings of every template's
/// checks through up to `MAX_LINKED_DEPLOYMENTS` of the next (800 templates: 4.6 GB).
struct Finished<R> {
    links: HashMap<FileId, lower::LinkedFiles>,
    linkers: HashMap<FileId, Vec<FileId>>,
    outputs: HashMap<FileId, R>,
}

impl<R> Default for Finished<R> {
    fn default() -> Self {
        Finished {
            links: HashMap::new(),
            linkers: HashMap::new(),
            outputs: HashMap::new(),
        }
    }
}

impl<R> Finished<R> {
    /// Template `id`, which linked `linked`, made `output`.
    fn add(&mut self, id: FileId, linked: lower::LinkedFiles, output: R) {
        let followed = &linked.followed;
        let linked_elsewhere = self.linkers.get(&id).is_some_and(|froms| {
            froms
                .iter()
                .any(|from| *from != id && !followed.contains(from))
        });
        if !linked_elsewhere {
            self.outputs.insert(id, output);
        }
        for &to in followed {
            if self
                .links
                .get(&to)
                .is_some_and(|back| !back.followed.contains(&id))
            {
                self.outputs.remove(&to);
            }
            self.linkers.entry(to).or_default().push(id);
        }
        self.links.insert(id, linked);
    }
}

/// The templates that no reported template reaches because one stopped following deployments
/// at `MAX_LINKED_DEPLOYMENTS`: each is reported as a deployment of its own. Otherwise a template
/// linked only by one that is itself reported through its caller would, past that limit, be
/// reported nowhere. Those that no other of them links are taken first (the first in file order
/// when they link each other in a loop), then those that they cut off in turn.
fn cut_off_templates<R>(
    results: &[TemplateResult<R>],
    links: &HashMap<FileId, lower::LinkedFiles>,
    linked_elsewhere: &HashSet<FileId>,
) -> HashSet<FileId> {
    let index_of: HashMap<FileId, usize> = results.iter().map(|r| (r.id, r.index)).collect();
    let none = lower::LinkedFiles::default();
    let linked = |id: FileId| links.get(&id).unwrap_or(&none);
    let reported: Vec<FileId> = results
        .iter()
        .map(|r| r.id)
        .filter(|id| !linked_elsewhere.contains(id))
        .collect();
    let mut reached: HashSet<FileId> = reported
        .iter()
        .flat_map(|&id| linked(id).followed.iter().copied().chain([id]))
        .collect();
    let mut pending: Vec<FileId> = reported
        .iter()
        .flat_map(|&id| linked(id).cut.iter().copied())
        .collect();
    let mut cut_off = HashSet::new();
    loop {
        pending.retain(|id| !reached.contains(id) && index_of.contains_key(id));
        pending.sort_unstable_by_key(|id| index_of[id]);
        pending.dedup();
        if pending.is_empty() {
            return cut_off;
        }
        let linked_by_pending: HashSet<FileId> = pending
            .iter()
            .flat_map(|&id| {
                let followed = linked(id).followed.iter().copied();
                followed.filter(move |&to| to != id)
            })
            .collect();
        let mut first: Vec<FileId> = pending
            .iter()
            .copied()
            .filter(|id| !linked_by_pending.contains(id))
            .collect();
        if first.is_empty() {
            first.push(pending[0]);
        }
        for id in first {
            cut_off.insert(id);
            reached.insert(id);
            reached.extend(linked(id).followed.iter().copied());
            pending.extend(linked(id).cut.iter().copied());
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn invalid(db: &SourceDb, file: FileId, message: String, offset: usize) -> Diagnostic {
    let source = db.get(file);
    let end = source.text[offset.min(source.text.len())..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    Diagnostic::new(
        message,
        Label::new(Span::new(file, offset..end), "here"),
        source.display.clone(),
    )
    .with_help("fix the JSON syntax; ARM accepts comments but otherwise strict JSON")
}

/// One template file: `None` when it is not a deployment template.
fn load_template(
    db: &SourceDb,
    file: FileId,
    sibling: Option<FileId>,
    explicit: &[(String, Value)],
    linked: &links::LinkedTemplates,
) -> (Option<Model>, lower::LinkedFiles, Vec<Diagnostic>) {
    let (root, level) = match open_template(db, file) {
        Ok(Some(template)) => template,
        Ok(None) => return (None, lower::LinkedFiles::default(), Vec::new()),
        Err(e) => {
            let message = e.describe("the template");
            let invalid = vec![invalid(db, file, message, e.offset)];
            return (None, lower::LinkedFiles::default(), invalid);
        }
    };
    crate::isolate::inject_fault(&db.get(file).text, "idlint-test-fault-arm");
    let mut diagnostics = Vec::new();
    let mut supplied = Vec::new();
    if let Some(sibling) = sibling {
        match parameter_values(db, sibling) {
            Ok(values) => supplied.extend(values),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }
    supplied.extend(explicit.iter().cloned());
    let (model, linked) = lower::lower(file, &root, level, supplied, linked);
    (Some(model), linked, diagnostics)
}

/// The deployment template in `file` and the level its `$schema` names; `None` when the file is
/// not a deployment template.
fn open_template(
    db: &SourceDb,
    file: FileId,
) -> Result<Option<(parse::Json<'_>, parse::Level)>, parse::JsonError> {
    let text = &db.get(file).text;
    if parse::sniff_level(text).is_none() {
        return Ok(None);
    }
    let root = parse::parse(file, text)?;
    let level = root
        .get("$schema")
        .and_then(parse::Json::as_str)
        .and_then(parse::schema_level);
    Ok(level.map(|level| (root, level)))
}

/// A parameter file's values by parameter name, in file order.
type ParameterValues = Vec<(String, Value)>;

/// The values of a parameter file: `{"parameters": {"x": {"value": ..}}}` (or the parameters
/// object alone); a Key Vault `reference` is an unknown value.
fn parameter_values(db: &SourceDb, file: FileId) -> Result<ParameterValues, Box<Diagnostic>> {
    crate::isolate::inject_fault(&db.get(file).text, "idlint-test-fault-parameters");
    let root = parse::parse(file, &db.get(file).text).map_err(|e| {
        let message = e.describe("the parameter file");
        Box::new(invalid(db, file, message, e.offset))
    })?;
    let parameters = root
        .get("parameters")
        .filter(|p| p.is_object())
        .unwrap_or(&root);
    let mut values = Vec::new();
    for member in parameters.members() {
        if member.key.starts_with('$') {
            continue;
        }
        if let Some(value) = member.value.get("value") {
            values.push((member.key.to_string(), eval::literal(value)));
        } else if member.value.get("reference").is_some() {
            let text = format!("parameters('{}')", member.key);
            values.push((member.key.to_string(), eval::hole(&text, member.value.span)));
        }
    }
    Ok(values)
}
