//! The VS Code problem matcher in `README.md` reads `--format compact` output.

use std::path::Path;
use std::process::Command;

use idlint::check::CheckResult;
use idlint::diagnostic::{Diagnostic, Finding, Label, Severity};
use idlint::report::{self, Format};
use idlint::source::{FileKind, SourceDb, SourceFile};
use idlint::span::Span;

struct Matcher {
    regex: regex::Regex,
    groups: serde_json::Value,
}

impl Matcher {
    /// The `pattern` of the first JSON code block in the doc that has a `problemMatcher`.
    fn from_docs() -> Matcher {
        let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md");
        let block = doc
            .split("```json\n")
            .skip(1)
            .filter_map(|rest| rest.split("\n```").next())
            .find(|block| block.contains("\"problemMatcher\""))
            .expect("a json block with a problemMatcher");
        let tasks: serde_json::Value = serde_json::from_str(block).expect("the block is JSON");
        let pattern = tasks["tasks"][0]["problemMatcher"]["pattern"].clone();
        let regex = regex::Regex::new(pattern["regexp"].as_str().expect("regexp"))
            .expect("the regexp compiles");
        Matcher {
            regex,
            groups: pattern,
        }
    }

    /// The matched field named by the pattern's group index.
    fn field<'a>(&self, captures: &regex::Captures<'a>, name: &str) -> &'a str {
        let index = self.groups[name].as_u64().expect(name) as usize;
        captures.get(index).map_or("", |m| m.as_str())
    }

    fn apply<'a>(&self, line: &'a str) -> [&'a str; 6] {
        let captures = self
            .regex
            .captures(line)
            .unwrap_or_else(|| panic!("the problem matcher does not match {line:?}"));
        ["file", "line", "column", "severity", "message", "code"]
            .map(|name| self.field(&captures, name))
    }
}

#[test]
fn matches_the_binarys_compact_output() {
    let matcher = Matcher::from_docs();
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = dir.path().join("env: prod");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/precommit/invalid.tf"),
        sub.join("main.tf"),
    )
    .expect("copy fixture");
    let out = Command::new(env!("CARGO_BIN_EXE_idlint"))
        .current_dir(dir.path())
        .args(["check", "--format", "compact"])
        .output()
        .expect("spawn idlint");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let [file, line, column, severity, message, code] = matcher.apply(lines[0]);
    assert_eq!(file, "env: prod/main.tf");
    assert_eq!((line, column), ("4", "13"));
    assert_eq!(severity, "error");
    assert!(
        message.starts_with("the file cannot be parsed"),
        "{message}"
    );
    assert_eq!(code, "IDL001");
}

#[test]
fn matches_every_severity_and_awkward_messages() {
    let matcher = Matcher::from_docs();
    let text = "a = 1\n  b = \"x\"\n";
    let mut sources = SourceDb::default();
    let id = sources.add(SourceFile::new(
        "modules/app/main.tf".into(),
        FileKind::Terraform,
        text.into(),
        true,
    ));
    let finding = |severity, code, message: &str, start: usize| Finding {
        code,
        name: "name",
        severity,
        diagnostic: Diagnostic::new(message, Label::new(Span::new(id, start..start + 1), ""), ""),
    };
    let result = CheckResult::new(
        sources,
        vec![
            finding(Severity::Error, "AZ301", "`Owner` at scope `/`", 0),
            finding(
                Severity::Warning,
                "AZ203",
                "identity `a:b` in 2: rg-1, rg-2 [shared]",
                8,
            ),
            finding(Severity::Note, "IDL003", "note: 10:20: [x] done", 10),
        ],
    );
    let compact = report::render(Format::Compact, &result, false, false);
    let parsed: Vec<[&str; 6]> = compact.lines().map(|l| matcher.apply(l)).collect();
    assert_eq!(
        parsed,
        [
            [
                "modules/app/main.tf",
                "1",
                "1",
                "error",
                "`Owner` at scope `/`",
                "AZ301"
            ],
            [
                "modules/app/main.tf",
                "2",
                "3",
                "warning",
                "identity `a:b` in 2: rg-1, rg-2 [shared]",
                "AZ203"
            ],
            [
                "modules/app/main.tf",
                "2",
                "5",
                "note",
                "note: 10:20: [x] done",
                "IDL003"
            ],
        ]
    );
}
