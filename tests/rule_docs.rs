//! The docs are tests: every rule's doc has the required headings, its bad examples make the
//! rule fire and its good examples keep it silent, in each front end.

use std::path::Path;

use idlint::check::{CheckOptions, check};
use idlint::rules::ALL_RULES;

const HEADINGS: [&str; 6] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Configuration",
    "## References",
];

/// The fenced code blocks under `## <section>`, with their language.
fn code_blocks<'a>(doc: &'a str, section: &str) -> Vec<(&'a str, String)> {
    let Some(start) = doc.find(&format!("## {section}\n")) else {
        return Vec::new();
    };
    let rest = &doc[start + section.len() + 4..];
    let body = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut blocks = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else {
            continue;
        };
        let code: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let lang = match lang.trim() {
            "hcl" | "terraform" => "hcl",
            "json" | "jsonc" => "json",
            _ => continue,
        };
        blocks.push((lang, code.join("\n") + "\n"));
    }
    blocks
}

fn lint(code: &str, lang: &str, source: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("idlint-doc-{code}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = if lang == "hcl" {
        "main.tf"
    } else {
        "azuredeploy.json"
    };
    std::fs::write(dir.join(file), source).unwrap();
    let result = check(&CheckOptions {
        paths: vec![dir.clone()],
        select: Some(vec![code.to_string(), "IDL001".to_string()]),
        ..CheckOptions::default()
    })
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    result
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.diagnostic.message))
        .collect()
}

#[test]
fn docs_have_the_required_headings() {
    for rule in ALL_RULES {
        let meta = rule.meta;
        let path = Path::new("rules").join(format!("{}-{}.md", meta.code, meta.name));
        let doc =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            doc,
            meta.docs,
            "{}: the embedded doc is stale",
            path.display()
        );
        assert!(
            doc.starts_with(&format!("# {} {}\n", meta.code, meta.name)),
            "{}: title",
            path.display()
        );
        for heading in HEADINGS {
            assert!(
                doc.contains(&format!("{heading}\n")),
                "{}: missing `{heading}`",
                path.display()
            );
        }
        assert!(
            doc.contains("https://learn.microsoft.com/"),
            "{}: no reference",
            path.display()
        );
    }
}

#[test]
fn doc_examples_fire_and_fixes_are_silent() {
    let mut failures = Vec::new();
    for rule in ALL_RULES {
        let code = rule.meta.code;
        let bad = code_blocks(rule.meta.docs, "Example");
        let good = code_blocks(rule.meta.docs, "Use instead");
        for lang in ["hcl", "json"] {
            if !bad.iter().any(|(l, _)| *l == lang) || !good.iter().any(|(l, _)| *l == lang) {
                failures.push(format!("{code}: needs a bad and a good `{lang}` example"));
            }
        }
        for (lang, source) in &bad {
            let findings = lint(code, lang, source);
            if !findings.iter().any(|f| f.starts_with(code))
                || findings.iter().any(|f| f.starts_with("IDL001"))
            {
                failures.push(format!("{code}: bad {lang} example: {findings:?}"));
            }
        }
        for (lang, source) in &good {
            let findings = lint(code, lang, source);
            if !findings.is_empty() {
                failures.push(format!("{code}: good {lang} example reports {findings:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for rule in ALL_RULES {
        let row = format!(
            "| {} | `{}` | {} |",
            rule.meta.code,
            rule.meta.name,
            rule.meta.severity.as_str()
        );
        assert!(
            readme.contains(&row),
            "README.md has no row starting `{row}`"
        );
    }
}
