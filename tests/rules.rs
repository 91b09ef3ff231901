//! Every rule against its fixtures: `testdata/rules/<CODE>/<front end>/<case>/`. A case whose
//! name starts with `bad` must report exactly the lines marked `expect: <CODE>`; a `good` case
//! must report nothing. The rendered human output of every case is an insta snapshot.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use idlint::check::{CheckOptions, check};
use idlint::report::{Format, render};
use idlint::rules::ALL_RULES;

const FRONT_ENDS: [&str; 2] = ["terraform", "arm"];

fn case_dirs(code: &str, front_end: &str) -> Vec<PathBuf> {
    let dir = Path::new("testdata/rules").join(code).join(front_end);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut cases: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// `(path, line)` of every `expect: CODE` marker under `dir`.
fn expected_lines(dir: &Path, code: &str) -> BTreeSet<(String, usize)> {
    let marker = format!("expect: {code}");
    let mut out = BTreeSet::new();
    for entry in walk(dir) {
        let text = std::fs::read_to_string(&entry).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.contains(&marker) {
                out.insert((entry.to_string_lossy().replace('\\', "/"), i + 1));
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_rule_has_bad_and_good_fixtures_for_each_front_end() {
    for rule in ALL_RULES {
        for front_end in FRONT_ENDS {
            let names: Vec<String> = case_dirs(rule.meta.code, front_end)
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect();
            assert!(
                names.iter().any(|n| n.starts_with("bad")),
                "{} {front_end}: no bad case",
                rule.meta.code
            );
            assert!(
                names.iter().any(|n| n.starts_with("good")),
                "{} {front_end}: no good case",
                rule.meta.code
            );
        }
    }
}

#[test]
fn fixtures() {
    let mut failures = Vec::new();
    for rule in ALL_RULES {
        let code = rule.meta.code;
        for front_end in FRONT_ENDS {
            for case in case_dirs(code, front_end) {
                let case_name = case.file_name().unwrap().to_string_lossy().into_owned();
                let options = CheckOptions {
                    paths: vec![case.clone()],
                    select: Some(vec![code.to_string()]),
                    ..CheckOptions::default()
                };
                let result = check(&options).unwrap();
                let actual: BTreeSet<(String, usize)> = result
                    .findings
                    .iter()
                    .filter(|f| f.code == code)
                    .map(|f| {
                        let file = result.sources.get(f.span().file);
                        (file.display.clone(), file.line_col(f.span().start).0)
                    })
                    .collect();
                let expected = expected_lines(&case, code);
                if case_name.starts_with("bad") && expected.is_empty() {
                    failures.push(format!(
                        "{}: a bad case needs `expect: {code}` markers",
                        case.display()
                    ));
                }
                if actual != expected {
                    failures.push(format!(
                        "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                        case.display()
                    ));
                }
                let rendered = render(Format::Human, &result, false, true);
                insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(format!("{code}__{front_end}_{case_name}"), rendered);
                });
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// SPEC §3: a found secret is never printed in full, in any format. Over every fixture at once;
/// a secret of fewer than 8 characters may be part of a longer word that is shown.
#[test]
fn no_report_shows_a_secret_that_a_finding_found() {
    let options = CheckOptions {
        paths: vec!["testdata/rules".into()],
        ..Default::default()
    };
    let result = check(&options).unwrap();
    let secrets: BTreeSet<&str> = result
        .findings
        .iter()
        .flat_map(|f| &f.diagnostic.redact)
        .map(|&span| result.sources.get(span.file).slice(span))
        .map(|written| written.trim().trim_matches(['"', '\'']))
        .filter(|secret| secret.chars().count() >= 8)
        .collect();
    assert!(secrets.len() >= 10, "{secrets:?}");
    for &format in <Format as clap::ValueEnum>::value_variants() {
        let out = render(format, &result, false, false);
        for secret in &secrets {
            assert!(!out.contains(secret), "{format:?} shows {secret:?}");
        }
    }
}
