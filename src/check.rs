//! `idlint check`: runs the pipeline over the files of a scan.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Finding, FoundSecrets, Label, Severity};
use crate::discover::{self, Discovered};
use crate::frontend::{self, Loaded};
use crate::model::Model;
use crate::rules::{self, RuleMeta, RuleOptions};
use crate::source::{FileKind, SourceDb, SourceFile, read_source};
use crate::span::{FileId, Span};
use crate::suppress::Suppression;

#[derive(Debug, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub var_files: Vec<PathBuf>,
    pub parameter_files: Vec<PathBuf>,
    /// Codes or names; `None` means every rule.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub rule_options: RuleOptions,
    pub config: Config,
}

/// The result of a scan: every file read and the findings, sorted.
#[derive(Debug)]
pub struct CheckResult {
    pub sources: SourceDb,
    pub findings: Vec<Finding>,
    /// The secrets that findings found, those not reported too (suppressed, or in files not
    /// named): reports mask them wherever they show.
    pub secrets: FoundSecrets,
}

impl CheckResult {
    /// A result whose secrets are those its findings redact, masked in their texts.
    pub fn new(sources: SourceDb, mut findings: Vec<Finding>) -> CheckResult {
        let secrets = FoundSecrets::of(&sources, findings.iter().map(|f| &f.diagnostic));
        secrets.redact_in(&mut findings);
        CheckResult {
            sources,
            findings,
            secrets,
        }
    }

    /// Files named on the command line under a name that idlint does not scan by
    /// (`main.tf.bak`, `/dev/stdin`), which it then reads as ARM templates, that are no
    /// deployment template either and have no finding: nothing in them was checked. (A named
    /// `.json` file that is no template is not among them: hooks name every JSON file.)
    pub fn unscanned_named_files(&self) -> impl Iterator<Item = &SourceFile> {
        let with_findings: HashSet<FileId> = self
            .findings
            .iter()
            .map(|f| f.diagnostic.primary.span.file)
            .collect();
        self.sources.iter().filter_map(move |(id, file)| {
            (file.reported
                && discover::classify(&file.path).is_none()
                && crate::arm::parse::sniff_level(&file.text).is_none()
                && !with_findings.contains(&id))
            .then_some(file)
        })
    }

    /// The result of a scan: `secrets` masked in the texts of `findings`, then the findings
    /// sorted and each counted with its instances. Every scan ends here, so that none forgets
    /// the masking.
    fn finish(
        sources: SourceDb,
        findings: Vec<Finding>,
        instances: &Instances,
        secrets: FoundSecrets,
    ) -> CheckResult {
        let mut result = CheckResult {
            sources,
            findings,
            secrets,
        };
        result.secrets.redact_in(&mut result.findings);
        // Every report places findings by line and column. The line tables of the files they
        // point into are built here on all cores, rather than one after another as the report
        // reaches them (20 ms of a scan of the corpus, after every other core is idle).
        result
            .placed_files()
            .into_par_iter()
            .for_each(|file| result.sources.get(file).index_lines());
        sort_and_dedup(&result.sources, &mut result.findings, instances);
        result
    }

    /// The files that the findings' labels point into.
    pub fn placed_files(&self) -> HashSet<FileId> {
        self.findings
            .iter()
            .flat_map(|f| f.diagnostic.labels())
            .map(|label| label.span.file)
            .collect()
    }
}

/// Resolves `--select`/`--ignore` keys to the set of enabled codes.
fn enabled_codes(options: &CheckOptions) -> Result<HashSet<&'static str>, String> {
    let lookup = |key: &str| {
        rules::find(key)
            .map(|m| m.code)
            .ok_or_else(|| rules::unknown_rule_message(key))
    };
    let mut enabled: HashSet<&'static str> = match &options.select {
        None => rules::all_metas().map(|m| m.code).collect(),
        Some(keys) if keys.iter().any(|k| k == "ALL") => {
            rules::all_metas().map(|m| m.code).collect()
        }
        Some(keys) => keys.iter().map(|k| lookup(k)).collect::<Result<_, _>>()?,
    };
    for key in &options.ignore {
        enabled.remove(lookup(key)?);
    }
    // A rule disabled in the config stays off unless `--select` names it.
    for code in &options.config.disabled {
        let selected = options
            .select
            .as_ref()
            .is_some_and(|keys| keys.iter().any(|k| lookup(k) == Ok(code)));
        if !selected {
            enabled.remove(code);
        }
    }
    Ok(enabled)
}

pub fn check(options: &CheckOptions) -> Result<CheckResult, String> {
    let enabled = enabled_codes(options)?;
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let config = &options.config;
    let mut discovered = discover::discover(&paths, &|path: &Path| config.is_excluded(path))?;
    for (files, kind) in [
        (&options.var_files, FileKind::TerraformVars),
        (&options.parameter_files, FileKind::ArmParameters),
    ] {
        for path in files {
            if !path.is_file() {
                let problem = if path.exists() {
                    "not a file"
                } else {
                    "no such file"
                };
                return Err(format!("{}: {problem}", path.display()));
            }
            discovered.push(Discovered {
                path: path.clone(),
                kind,
                reported: false,
            });
        }
    }
    let explicit_start = discovered.len() - options.var_files.len() - options.parameter_files.len();

    let (mut sources, unreadable) = read_all(&discovered);
    let ids: Vec<(FileId, FileKind)> = sources.iter().map(|(id, f)| (id, f.kind)).collect();
    let explicit: Vec<FileId> = (explicit_start..ids.len())
        .map(|i| FileId(i as u32))
        .collect();
    let unreadable_ids: HashSet<FileId> = unreadable.iter().map(|d| d.primary.span.file).collect();
    let pick = |kinds: &[FileKind], explicit_files: bool| -> Vec<FileId> {
        ids.iter()
            .filter(|(id, kind)| {
                kinds.contains(kind)
                    && explicit.contains(id) == explicit_files
                    && !unreadable_ids.contains(id)
            })
            .map(|(id, _)| *id)
            .collect()
    };
    let terraform_files = pick(
        &[
            FileKind::Terraform,
            FileKind::TerraformJson,
            FileKind::TerraformVars,
        ],
        false,
    );
    let mut json_files = pick(&[FileKind::Json, FileKind::ArmParameters], false);
    let var_files = pick(&[FileKind::TerraformVars], true);
    let parameter_files = pick(&[FileKind::ArmParameters], true);
    if paths.iter().any(|path| path.is_file()) {
        // A set: a pre-commit hook may name thousands of files.
        let named_paths: HashSet<&Path> = paths.iter().map(PathBuf::as_path).collect();
        let named: Vec<FileId> = json_files
            .iter()
            .copied()
            .filter(|&id| named_paths.contains(sources.get(id).path.as_path()))
            .collect();
        let callers = add_linking_templates(&mut sources, &named);
        json_files.extend(callers);
        add_linked_templates(&mut sources, &json_files);
    }

    let mut rule_options = options.rule_options.clone();
    if let Some(max) = config.max_workloads {
        rule_options.max_workloads = max;
    }
    let rule_options = &rule_options;
    let is_enabled = |meta: &RuleMeta| enabled.contains(meta.code);
    let check_model = |model: Model| rules::run(&model, rule_options, &is_enabled);
    // Terraform modules and ARM templates are parsed, evaluated and checked side by side on one
    // pool: the serial part of Terraform's module discovery and a few large Terraform roots
    // would otherwise leave cores idle. ARM reads a clone of the sources (the files are
    // shared), because Terraform adds the module directories outside the scan it finds. Both
    // check each model as it is built and drop it.
    let arm_sources = sources.clone();
    let (terraform, arm) = frontend::on_deep_stacks(|| {
        rayon::join(
            || {
                crate::terraform::load_each(
                    &mut sources,
                    &terraform_files,
                    &var_files,
                    &check_model,
                )
            },
            || crate::arm::load_each(&arm_sources, &json_files, &parameter_files, &check_model),
        )
    });
    let (mut raw, suppressions) = gather(&sources, [terraform, arm]);
    raw.extend(unreadable.into_iter().map(|d| (&rules::INVALID_FILE, d)));
    let secrets = FoundSecrets::of(&sources, raw.iter().map(|(_, d)| d));

    let mut findings = apply_suppressions(&sources, raw, &suppressions);
    // Counted before the named files filter them, so that a finding kept for a named file still
    // says how many instances the code has, as in a directory scan.
    let instances = Instances::of(&findings);
    // With files named on the command line, a finding counts when any of its labels points into
    // one of them: a secret added in `terraform.tfvars` is reported where the app uses it.
    // A `--var-file` or `--parameters` file is not reported on, except that it could not be read
    // or parsed: its values would be missing without a word.
    let about_an_explicit_file = |f: &Finding| {
        [rules::INVALID_FILE.code, rules::INTERNAL_ERROR.code].contains(&f.code)
            && explicit.contains(&f.diagnostic.primary.span.file)
    };
    findings.retain(|f| {
        enabled.contains(f.code)
            && (about_an_explicit_file(f)
                || f.diagnostic
                    .labels()
                    .any(|label| sources.get(label.span.file).reported))
    });
    apply_config(&mut sources, config, &mut findings);
    Ok(CheckResult::finish(sources, findings, &instances, secrets))
}

/// The front ends' findings, their secrets' spans narrowed to where the secrets are written,
/// with their invalid files (`IDL001`) and internal errors (`IDL004`) as findings of the tool,
/// and their suppression comments.
fn gather(
    sources: &SourceDb,
    front_ends: impl IntoIterator<Item = Loaded<Vec<(&'static RuleMeta, Diagnostic)>>>,
) -> (Vec<(&'static RuleMeta, Diagnostic)>, Vec<Suppression>) {
    let mut raw = Vec::new();
    let mut suppressions = Vec::new();
    for loaded in front_ends {
        raw.extend(loaded.models.into_iter().flatten());
        let invalid = loaded.invalid_files.into_iter();
        raw.extend(invalid.map(|d| (&rules::INVALID_FILE, d)));
        let internal = loaded.internal_errors.into_iter();
        raw.extend(internal.map(|d| (&rules::INTERNAL_ERROR, d)));
        suppressions.extend(loaded.suppressions);
    }
    crate::diagnostic::narrow_secrets(sources, raw.iter_mut().map(|(_, d)| d));
    (raw, suppressions)
}

/// At most this many linked templates are read from outside the scan.
const MAX_LINKED_READS: usize = 1000;

/// Reads, unreported, the template and parameter files that `templates` link from outside the
/// scan, and those they link in turn: a template named alone is checked with what it deploys,
/// as with its parameter file. (A directory scan follows links only within itself.)
fn add_linked_templates(sources: &mut SourceDb, templates: &[FileId]) {
    let mut linking = templates.to_vec();
    let mut read = 0;
    while !linking.is_empty() && read < MAX_LINKED_READS {
        let missing = crate::arm::links::missing_files(sources, &linking);
        linking.clear();
        for (path, kind) in missing.into_iter().take(MAX_LINKED_READS - read) {
            read += 1;
            // An unreadable linked file stays unknown; it is reported when it is scanned.
            if let Ok(text) = read_source(&path, kind) {
                linking.push(sources.add(SourceFile::new(path, kind, text, false)));
            }
        }
    }
}

/// Reads, unreported, the templates beside and above `named` templates that link them, and
/// those that link these in turn: a linked template named alone is checked as its callers
/// deploy it, as in a directory scan. The callers (and their parameter files) are returned, to
/// be evaluated as roots.
fn add_linking_templates(sources: &mut SourceDb, named: &[FileId]) -> Vec<FileId> {
    let mut callers = Vec::new();
    let mut linked = named.to_vec();
    // Templates read that have a `templateLink` but link none of the files so far: one may
    // link a caller found later.
    let mut others: Vec<(PathBuf, String)> = Vec::new();
    let mut read: HashSet<PathBuf> = HashSet::new();
    let cwd = std::env::current_dir().unwrap_or_default();
    // The scan's files by normalized absolute path, as candidates are: a parameter file given
    // with `--parameters` is not read again.
    let mut held: HashSet<PathBuf> = sources
        .iter()
        .map(|(_, file)| crate::discover::join_normalized(&cwd, &file.path))
        .collect();
    while !linked.is_empty() {
        let fresh: Vec<PathBuf> = crate::arm::links::caller_candidates(sources, &linked)
            .into_iter()
            .filter(|path| !read.contains(path))
            .take(MAX_LINKED_READS.saturating_sub(read.len()))
            .collect();
        read.extend(fresh.iter().cloned());
        others.par_extend(fresh.into_par_iter().filter_map(|path| {
            let text = read_source(&path, FileKind::Json).ok()?;
            crate::arm::links::may_link(&text).then_some((path, text))
        }));
        let names = crate::arm::links::LinkNames::of(sources, &linked);
        linked.clear();
        let (linking, rest) = std::mem::take(&mut others)
            .into_iter()
            .partition(|(_, text)| names.named_in(text));
        others = rest;
        for (path, text) in linking {
            // Its parameter file too, as a named template brings it, unless the scan holds it
            // already. Candidates' paths are absolute.
            if let Some(partner) = crate::discover::arm_partner(&path)
                && held.insert(partner.clone())
                && let Ok(parameters) = read_source(&partner, FileKind::ArmParameters)
            {
                let kind = FileKind::ArmParameters;
                callers.push(sources.add(SourceFile::new(partner, kind, parameters, false)));
            }
            let id = sources.add(SourceFile::new(path, FileKind::Json, text, false));
            callers.push(id);
            linked.push(id);
        }
    }
    callers
}

/// Reads every discovered file in parallel; an unreadable file is an `IDL001` finding.
fn read_all(discovered: &[Discovered]) -> (SourceDb, Vec<Diagnostic>) {
    let read: Vec<(SourceFile, Option<String>)> = discovered
        .par_iter()
        .map(|d| {
            let (text, problem) = match read_source(&d.path, d.kind) {
                Ok(text) => (text, None),
                Err(problem) => (String::new(), Some(problem)),
            };
            (
                SourceFile::new(d.path.clone(), d.kind, text, d.reported),
                problem,
            )
        })
        .collect();
    let mut sources = SourceDb::default();
    let mut unreadable = Vec::new();
    for (file, problem) in read {
        let address = file.display.clone();
        let id = sources.add(file);
        if let Some(problem) = problem {
            let span = Span::new(id, 0..0);
            unreadable.push(Diagnostic::new(problem, Label::new(span, "here"), address));
        }
    }
    (sources, unreadable)
}

/// The suppressions' targets by file and start, so that a finding is matched against those
/// around it rather than all of them: a file can carry a suppression on each of thousands of
/// resources.
struct Targets<'s> {
    suppressions: &'s [Suppression],
    /// (file, start, index into the suppressions), sorted.
    by_start: Vec<(FileId, u32, usize)>,
    /// The furthest end of the targets up to each position of `by_start` within its file.
    furthest_end: Vec<u32>,
}

impl<'s> Targets<'s> {
    fn of(suppressions: &'s [Suppression]) -> Targets<'s> {
        let mut by_start: Vec<(FileId, u32, usize)> = suppressions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.target.file, s.target.start, i))
            .collect();
        by_start.sort_unstable();
        let mut furthest_end = Vec::with_capacity(by_start.len());
        for (k, &(file, _, i)) in by_start.iter().enumerate() {
            let before = (k > 0 && by_start[k - 1].0 == file).then(|| furthest_end[k - 1]);
            furthest_end.push(before.unwrap_or(0).max(suppressions[i].target.end));
        }
        Targets {
            suppressions,
            by_start,
            furthest_end,
        }
    }

    /// The suppressions whose target contains `span`: those that start at or before it, back
    /// to where no earlier target of the file reaches its end.
    fn containing(&self, span: Span) -> impl Iterator<Item = usize> + '_ {
        let after = self
            .by_start
            .partition_point(|&(file, start, _)| (file, start) <= (span.file, span.start));
        (0..after)
            .rev()
            .take_while(move |&k| {
                self.by_start[k].0 == span.file && self.furthest_end[k] >= span.end
            })
            .map(move |k| self.by_start[k].2)
            .filter(move |&i| self.suppressions[i].target.contains(span))
    }
}

fn apply_suppressions(
    sources: &SourceDb,
    raw: Vec<(&'static RuleMeta, Diagnostic)>,
    suppressions: &[Suppression],
) -> Vec<Finding> {
    let mut used = vec![false; suppressions.len()];
    let targets = Targets::of(suppressions);
    let mut findings = Vec::with_capacity(raw.len());
    for (meta, diagnostic) in raw {
        let span = diagnostic.primary.span;
        // The first suppression that names the rule, as a search of all of them finds it.
        let matching = targets
            .containing(span)
            .filter(|&i| {
                let s = &suppressions[i];
                s.reason.is_some()
                    && s.rules
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(meta.code) || r == meta.name)
            })
            .min();
        if let Some(i) = matching {
            used[i] = true;
            continue;
        }
        findings.push(Finding {
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            diagnostic,
        });
    }
    for (suppression, used) in suppressions.iter().zip(used) {
        let anchor = format!(
            "{}:{}",
            sources.get(suppression.comment.file).display,
            suppression.rules.join(",")
        );
        let unknown: Vec<&String> = suppression
            .rules
            .iter()
            .filter(|r| rules::find(r).is_none())
            .collect();
        let problem = if suppression.rules.is_empty() {
            Some("the suppression names no rule".to_string())
        } else if !unknown.is_empty() {
            Some(format!(
                "the suppression names an unknown rule `{}`",
                rules::shown_key(unknown[0])
            ))
        } else if suppression.reason.is_none() {
            Some("the suppression gives no reason".to_string())
        } else {
            None
        };
        let (meta, message, help) = match problem {
            Some(message) => (
                &rules::INVALID_SUPPRESSION,
                message,
                "write `# idlint:ignore CODE -- reason`, with a rule code or name from `idlint rules`",
            ),
            None if !used => (
                &rules::UNUSED_SUPPRESSION,
                format!(
                    "the suppression of `{}` suppressed nothing",
                    suppression.rules.join(", ")
                ),
                "remove the comment, or move it onto the line above the block or attribute that has the finding",
            ),
            None => continue,
        };
        findings.push(Finding {
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            diagnostic: Diagnostic::new(
                message,
                Label::new(suppression.comment, "this comment"),
                anchor,
            )
            .with_help(help),
        });
    }
    findings
}

/// Severity overrides and path ignores from the config. An expired ignore no longer applies, and
/// says so with a finding on the config file.
fn apply_config(sources: &mut SourceDb, config: &Config, findings: &mut Vec<Finding>) {
    for finding in findings.iter_mut() {
        if let Some(&severity) = config.severity.get(finding.code) {
            finding.severity = severity;
        }
    }
    if config.ignores.is_empty() {
        return;
    }
    let today = crate::config::today();
    let (active, expired): (Vec<_>, Vec<_>) = config.ignores.iter().partition(|i| {
        i.expires
            .as_deref()
            .is_none_or(|date| date >= today.as_str())
    });
    findings.retain(|f| {
        let path = &sources.get(f.span().file).path;
        !active
            .iter()
            .any(|i| i.rule.code == f.code && i.paths.is_match(config.relative(path)))
    });
    let Some(path) = &config.path else { return };
    if expired.is_empty() {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let file = sources.add(SourceFile::new(path.clone(), FileKind::Config, text, true));
    for ignore in expired {
        let expires = ignore.expires.as_deref().unwrap_or_default();
        let span = Span::new(file, ignore.span.clone());
        findings.push(Finding {
            code: rules::INVALID_SUPPRESSION.code,
            name: rules::INVALID_SUPPRESSION.name,
            severity: rules::INVALID_SUPPRESSION.severity,
            diagnostic: Diagnostic::new(
                format!(
                    "the ignore of `{}` expired on {expires} and no longer applies",
                    ignore.rule.code
                ),
                Label::new(span, "expired"),
                format!("config/ignore/{}/{expires}", ignore.rule.code),
            )
            .with_help("fix the findings it covered, or extend `expires` with a reason"),
        });
    }
}

/// How many findings each rule reports at each location (the instances of a counted resource,
/// of a module called twice, of a template linked twice), and whether their messages differ.
struct Instances(HashMap<(&'static str, Span), (usize, bool)>);

impl Instances {
    fn of(findings: &[Finding]) -> Instances {
        let mut seen: HashMap<(&'static str, Span), (usize, bool, &str)> = HashMap::new();
        for finding in findings {
            let message = finding.diagnostic.message.as_str();
            let (count, named_apart, first) = seen
                .entry((finding.code, finding.span()))
                .or_insert((0, false, message));
            *count += 1;
            *named_apart |= *first != message;
        }
        Instances(
            seen.into_iter()
                .map(|(key, (count, named_apart, _))| (key, (count, named_apart)))
                .collect(),
        )
    }
}

/// Sorts by (path, line, column, code) and keeps one finding per rule and location. When the
/// instances at a location name different things, the one kept says how many more there are.
fn sort_and_dedup(sources: &SourceDb, findings: &mut Vec<Finding>, instances: &Instances) {
    findings.sort_by(|a, b| {
        let (fa, fb) = (sources.get(a.span().file), sources.get(b.span().file));
        (
            &fa.display,
            a.span().start,
            a.code,
            &a.diagnostic.message,
            a.span().end,
        )
            .cmp(&(
                &fb.display,
                b.span().start,
                b.code,
                &b.diagnostic.message,
                b.span().end,
            ))
    });
    findings.dedup_by(|a, b| a.code == b.code && a.span() == b.span());
    for finding in findings.iter_mut() {
        if let Some(&(count, true)) = instances.0.get(&(finding.code, finding.span())) {
            let more = count - 1;
            let plural = if more == 1 { "" } else { "s" };
            finding.diagnostic.message += &format!(" (and {more} more instance{plural})");
        }
    }
}

/// The exit code for `findings` under `--fail-on`.
pub fn exit_code(findings: &[Finding], fail_on: Option<Severity>) -> u8 {
    match fail_on {
        Some(level) if findings.iter().any(|f| f.severity >= level) => 1,
        _ => 0,
    }
}

/// Runs the front end, the rules and every reporter on one in-memory Terraform file (`.tf`;
/// when the text starts with `{`, `.tf.json` and, beside it, the same text as
/// `terraform.tfvars.json`): the entry point of the `hcl` fuzz target.
#[doc(hidden)]
pub fn fuzz_terraform(text: &str) -> CheckResult {
    match text.trim_start().starts_with('{') {
        true => fuzz_one(
            &[
                ("main.tf.json", FileKind::TerraformJson),
                ("terraform.tfvars.json", FileKind::TerraformVars),
            ],
            text,
        ),
        false => fuzz_one(&[("main.tf", FileKind::Terraform)], text),
    }
}

/// As [`fuzz_terraform`] for one ARM template: the entry point of the `arm` and `arm_expr`
/// fuzz targets.
#[doc(hidden)]
pub fn fuzz_arm(text: &str) -> CheckResult {
    fuzz_one(&[("template.json", FileKind::Json)], text)
}

/// `text` as each of `files` (name, kind) of one directory.
fn fuzz_one(files: &[(&str, FileKind)], text: &str) -> CheckResult {
    // A directory that does not exist: module sources resolve to nothing on disk.
    let dir = PathBuf::from("/nonexistent-idlint-fuzz");
    let mut sources = SourceDb::default();
    let ids: Vec<FileId> = files
        .iter()
        .map(|(name, kind)| {
            let file = SourceFile::new(dir.join(name), *kind, text.to_string(), true);
            sources.add(file)
        })
        .collect();
    let options = RuleOptions::default();
    let check_model = |model: Model| rules::run(&model, &options, &|_| true);
    let loaded = match files[0].1 {
        FileKind::Json => crate::arm::load_each(&sources, &ids, &[], &check_model),
        _ => crate::terraform::load_each(&mut sources, &ids, &[], &check_model),
    };
    let (raw, suppressions) = gather(&sources, [loaded]);
    let secrets = FoundSecrets::of(&sources, raw.iter().map(|(_, d)| d));
    let findings = apply_suppressions(&sources, raw, &suppressions);
    let instances = Instances::of(&findings);
    let result = CheckResult::finish(sources, findings, &instances, secrets);
    // Every output format, and the human one in colour too: reporters handle spans and texts
    // that come from the input. None shows a secret a finding found, where a name is built from
    // it or it is written again (short secrets may be part of a word, which is shown).
    let found_texts: Vec<String> = result
        .findings
        .iter()
        .flat_map(|f| &f.diagnostic.redact)
        .flat_map(|&span| {
            crate::diagnostic::secret_texts(result.sources.get(span.file).slice(span))
        })
        .filter(|text| text.chars().count() >= crate::diagnostic::SHORT_SECRET_CHARS)
        .collect();
    for &format in <crate::report::Format as clap::ValueEnum>::value_variants() {
        let out = crate::report::render(format, &result, false, false);
        // SARIF carries the rules' docs, whose examples a fuzzer may write as secrets.
        if format != crate::report::Format::Sarif {
            assert_no_secret_in(&out, &found_texts, format);
        }
    }
    let out = crate::report::render(crate::report::Format::Human, &result, true, false);
    assert_no_secret_in(&out, &found_texts, crate::report::Format::Human);
    result
}

fn assert_no_secret_in(out: &str, secrets: &[String], format: crate::report::Format) {
    if let Some(secret) = secrets.iter().find(|s| out.contains(s.as_str())) {
        panic!("the {format:?} report shows the secret {secret:?}:\n{out}");
    }
}

/// The `arm_expr` fuzz target: `expression` (the text between `[` and `]`) parsed alone, then
/// evaluated as a variable, a resource name, an identity type, an app setting and an output.
#[doc(hidden)]
pub fn fuzz_arm_expression(expression: &str) -> CheckResult {
    let _ = crate::arm::expr::parse(expression);
    let expression = serde_json::Value::String(format!("[{expression}]"));
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"p": {"type": "object", "defaultValue": {"a": [1, "x"]}}},
        "variables": {"v": expression, "w": "[variables('v')]"},
        "resources": [{
            "type": "Microsoft.Web/sites",
            "apiVersion": "2022-03-01",
            "name": expression,
            "identity": {"type": "[variables('w')]"},
            "properties": {"siteConfig": {"appSettings": [{"name": "KEY", "value": expression}]}}
        }],
        "outputs": {"o": {"type": "string", "value": expression}}
    });
    fuzz_arm(&template.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_containing_a_span_are_those_a_search_of_all_finds() {
        // Nested and disjoint targets in two files, as blocks, attributes and their neighbours
        // are; every span is asked for.
        let mut spans = Vec::new();
        for file in [FileId(0), FileId(1)] {
            for block in 0..20usize {
                let start = block * 100;
                spans.push(Span::new(file, start..start + 90));
                for attribute in 0..block % 4 {
                    let at = start + 10 + attribute * 20;
                    spans.push(Span::new(file, at..at + 15));
                }
            }
            spans.push(Span::new(file, 0..5000));
        }
        let suppressions: Vec<Suppression> = spans
            .iter()
            .map(|&target| Suppression {
                comment: target,
                rules: Vec::new(),
                reason: None,
                target,
            })
            .collect();
        let targets = Targets::of(&suppressions);
        for file in [FileId(0), FileId(1), FileId(2)] {
            for start in (0..2100).step_by(7) {
                let span = Span::new(file, start..start + 3);
                let mut found: Vec<usize> = targets.containing(span).collect();
                found.sort_unstable();
                let all: Vec<usize> = (0..spans.len())
                    .filter(|&i| spans[i].contains(span))
                    .collect();
                assert_eq!(found, all, "{span:?}");
            }
        }
    }
}
