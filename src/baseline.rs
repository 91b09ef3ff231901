//! Fingerprints of findings, and baselines built from them (`--write-baseline`, `--baseline`).
//!
//! A fingerprint names a finding without its position: the rule, the file's display path, the
//! diagnostic's anchor (a resource address or JSON path and the offending key, within the file:
//! without the module calls or linked deployments that lead there, so that a pre-commit run on a
//! module's file matches a baseline written by a scan of its callers) and the text
//! under the primary span with all whitespace removed and secrets masked. Inserting lines above
//! a finding or reformatting the file leaves it unchanged. Findings that still share a
//! fingerprint within one file are told apart by an occurrence counter, in output order.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::CheckResult;
use crate::diagnostic::{Finding, mask};
use crate::source::SourceDb;

/// The version of the fingerprint scheme; SARIF names it in `partialFingerprints`.
pub const FINGERPRINT_VERSION: &str = "idlint/v1";

/// The version of the baseline file format.
const BASELINE_VERSION: u32 = 1;

/// Longest hint written next to a fingerprint, in characters.
const HINT_CHARS: usize = 120;

/// One fingerprint per finding of `findings`, in the same order.
pub fn fingerprints(sources: &SourceDb, findings: &[Finding]) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let hash = finding_hash(sources, finding);
            let occurrence = seen.entry(hash).or_insert(0);
            *occurrence += 1;
            format!("{hash:016x}:{occurrence}")
        })
        .collect()
}

fn finding_hash(sources: &SourceDb, finding: &Finding) -> u64 {
    let d = &finding.diagnostic;
    let span = d.primary.span;
    let file = sources.get(span.file);
    let redact: Vec<_> = d
        .redact
        .iter()
        .copied()
        .filter(|s| s.file == span.file)
        .collect();
    let text = mask(file.slice(span), span.start, &redact);
    let normalized: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut hash = Fnv64::new();
    let anchor = crate::model::local_address(&d.anchor);
    for part in [finding.code, &file.display, anchor, &normalized] {
        hash.write(part.as_bytes());
        // A separator no part contains keeps ("ab", "c") and ("a", "bc") apart.
        hash.write(&[0]);
    }
    hash.finish()
}

/// FNV-1a, 64 bits: tiny, and stable across platforms and Rust versions (std's hasher is not).
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    fingerprints: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    rule: String,
    path: String,
    /// For people reading the file; matching ignores it.
    #[serde(default)]
    hint: String,
}

/// The fingerprints of a baseline file: the findings a run does not report.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    /// Reads a baseline file; any problem is a message for an exit code 2.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = crate::source::read_text(path, &format!("the baseline {}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an idlint baseline: {e}", path.display()))?;
        if file.version != BASELINE_VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (expected {BASELINE_VERSION}); \
                 write it again with `--write-baseline`",
                path.display(),
                file.version
            ));
        }
        Ok(Baseline {
            fingerprints: file
                .fingerprints
                .into_iter()
                .map(|e| e.fingerprint)
                .collect(),
        })
    }

    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Drops the findings of `result` whose fingerprint is in the baseline.
    pub fn filter(&self, result: &mut CheckResult) {
        let prints = fingerprints(&result.sources, &result.findings);
        let mut keep = prints.iter().map(|p| !self.fingerprints.contains(p));
        result.findings.retain(|_| keep.next().unwrap_or(true));
    }
}

/// The baseline file for the findings of `result`, sorted by path, rule and fingerprint so that
/// moving code around does not reorder it.
pub fn render(result: &CheckResult) -> String {
    let prints = fingerprints(&result.sources, &result.findings);
    let mut entries: Vec<Entry> = result
        .findings
        .iter()
        .zip(prints)
        .map(|(finding, fingerprint)| Entry {
            fingerprint,
            rule: finding.code.to_string(),
            path: result.sources.get(finding.span().file).display.clone(),
            hint: hint(finding),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
    });
    let file = BaselineFile {
        version: BASELINE_VERSION,
        fingerprints: entries,
    };
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}

/// Writes the baseline of `result` to `path`.
pub fn write(path: &Path, result: &CheckResult) -> Result<(), String> {
    std::fs::write(path, render(result))
        .map_err(|e| format!("cannot write the baseline {}: {e}", path.display()))
}

/// `--write-baseline` then `--baseline`: records every current finding in `write_to` (which
/// then reports none of them), else drops the findings `baseline` holds.
pub fn apply(
    result: &mut CheckResult,
    baseline: Option<&Baseline>,
    write_to: Option<&Path>,
    quiet: bool,
) -> Result<(), String> {
    if let Some(path) = write_to {
        write(path, result)?;
        if !quiet {
            eprintln!(
                "idlint: recorded {} finding{} in {}",
                result.findings.len(),
                if result.findings.len() == 1 { "" } else { "s" },
                path.display()
            );
        }
        result.findings.clear();
    } else if let Some(baseline) = baseline {
        baseline.filter(result);
    }
    Ok(())
}

/// The anchor when the rule set one, else the (already redacted) message; shortened.
fn hint(finding: &Finding) -> String {
    let d = &finding.diagnostic;
    let text = if d.anchor.is_empty() {
        &d.message
    } else {
        &d.anchor
    };
    if text.chars().count() <= HINT_CHARS {
        return text.clone();
    }
    let mut short: String = text.chars().take(HINT_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, Label, Severity};
    use crate::source::{FileKind, SourceFile};
    use crate::span::Span;

    fn result_for(text: &str, needles: &[&str]) -> CheckResult {
        let mut sources = SourceDb::default();
        let id = sources.add(SourceFile::new(
            "main.tf".into(),
            FileKind::Terraform,
            text.to_string(),
            true,
        ));
        let mut from = 0;
        let findings = needles
            .iter()
            .map(|needle| {
                let start = from + text[from..].find(needle).unwrap_or(0);
                from = start + needle.len();
                let span = Span::new(id, start..start + needle.len());
                Finding {
                    code: "AZ301",
                    name: "privileged-role-at-broad-scope",
                    severity: Severity::Error,
                    diagnostic: Diagnostic::new(
                        "`Owner` at subscription scope",
                        Label::new(span, "this role"),
                        "azurerm_role_assignment.owner.role_definition_name",
                    ),
                }
            })
            .collect();
        CheckResult::new(sources, findings)
    }

    #[test]
    fn survives_inserted_lines_and_reformatting() {
        let before = result_for("a = 1\nrole = \"Owner\"\n", &["role = \"Owner\""]);
        let after = result_for(
            "# comment\n\n\na = 1\n  role    =   \"Owner\"\n",
            &["role    =   \"Owner\""],
        );
        assert_eq!(
            fingerprints(&before.sources, &before.findings),
            fingerprints(&after.sources, &after.findings)
        );
    }

    #[test]
    fn the_anchor_is_read_within_its_file() {
        use crate::model::local_address;
        for (address, local) in [
            (
                "azurerm_storage_account.sa/key",
                "azurerm_storage_account.sa/key",
            ),
            (
                "module.app.azurerm_storage_account.sa",
                "azurerm_storage_account.sa",
            ),
            (
                "module.app[\"eu.west\"].module.db[0].azurerm_mssql_server.s/password",
                "azurerm_mssql_server.s/password",
            ),
            ("module.broken[\"x\"", "module.broken[\"x\""),
            ("module..x", "module..x"),
            (
                "resources[0].properties.templateLink.resources[1][0].properties.templateLink.resources[2]/rbac",
                "resources[2]/rbac",
            ),
            // An inline nested template is in the same file.
            (
                "resources[0].properties.template.resources[1]",
                "resources[0].properties.template.resources[1]",
            ),
            ("access-policy/12/keys/all", "access-policy/12/keys/all"),
        ] {
            assert_eq!(local_address(address), local, "{address}");
        }
    }

    #[test]
    fn differs_by_text_rule_and_counts_repeats() {
        let result = result_for(
            "x = \"Owner\"\ny = \"Owner\"\nz = \"Reader\"\n",
            &["\"Owner\"", "\"Owner\"", "\"Reader\""],
        );
        let prints = fingerprints(&result.sources, &result.findings);
        assert!(prints[0].ends_with(":1"), "{prints:?}");
        assert!(prints[1].ends_with(":2"), "{prints:?}");
        assert_eq!(prints[0].split(':').next(), prints[1].split(':').next());
        assert_ne!(prints[0].split(':').next(), prints[2].split(':').next());
    }

    #[test]
    fn masks_secrets_before_hashing() {
        let mut one = result_for("p = \"hunter2secret\"\n", &["\"hunter2secret\""]);
        let mut two = result_for("p = \"hunter2SECRET\"\n", &["\"hunter2SECRET\""]);
        for r in [&mut one, &mut two] {
            let span = r.findings[0].span();
            r.findings[0].diagnostic.redact.push(span);
        }
        // Only the first four characters survive masking, so rotating the secret keeps the
        // finding's identity.
        assert_eq!(
            fingerprints(&one.sources, &one.findings),
            fingerprints(&two.sources, &two.findings)
        );
        let unmasked = result_for("p = \"hunter2SECRET\"\n", &["\"hunter2SECRET\""]);
        assert_ne!(
            fingerprints(&one.sources, &one.findings),
            fingerprints(&unmasked.sources, &unmasked.findings)
        );
    }

    #[test]
    fn render_then_filter_drops_everything_recorded() {
        let mut result = result_for(
            "x = \"Owner\"\ny = \"Owner\"\n",
            &["\"Owner\"", "\"Owner\""],
        );
        let text = render(&result);
        let file: BaselineFile = serde_json::from_str(&text).expect("valid baseline JSON");
        assert_eq!(file.fingerprints.len(), 2);
        assert_eq!(file.fingerprints[0].path, "main.tf");
        let baseline = Baseline {
            fingerprints: file
                .fingerprints
                .into_iter()
                .map(|e| e.fingerprint)
                .collect(),
        };
        baseline.filter(&mut result);
        assert!(result.findings.is_empty());
    }

    #[test]
    fn an_extra_repeat_is_new() {
        let old = result_for("x = \"Owner\"\n", &["\"Owner\""]);
        let baseline = Baseline {
            fingerprints: fingerprints(&old.sources, &old.findings)
                .into_iter()
                .collect(),
        };
        let mut new = result_for(
            "x = \"Owner\"\ny = \"Owner\"\n",
            &["\"Owner\"", "\"Owner\""],
        );
        baseline.filter(&mut new);
        assert_eq!(new.findings.len(), 1);
        assert_eq!(new.findings[0].span().start, 16);
    }

    #[test]
    fn long_hints_are_shortened() {
        let mut result = result_for("x = 1\n", &["x"]);
        result.findings[0].diagnostic.anchor = "a".repeat(500);
        let h = hint(&result.findings[0]);
        assert_eq!(h.chars().count(), HINT_CHARS);
        assert!(h.ends_with('…'));
    }
}
