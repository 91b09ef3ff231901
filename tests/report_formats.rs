//! Every output format over one hand-built result: snapshots, schema validation, escaping and
//! redaction. The result is built by hand so these tests do not depend on the rules.

use idlint::check::CheckResult;
use idlint::diagnostic::{Diagnostic, Finding, Label, Severity};
use idlint::report::{self, Format};
use idlint::source::{FileKind, SourceDb, SourceFile};
use idlint::span::{FileId, Span};

const ROOT_TF: &str = r#"# idlint:ignore AZ105 -- legacy
module "app" {
  source   = "./modules/app"
  db_conn  = "Server=db;Password=hunter2hunter2;"
}

resource "azurerm_role_assignment" "owner" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = module.app.principal_id
}
"#;

const MODULE_TF: &str = r#"variable "db_conn" {}

resource "azurerm_linux_web_app" "api" {
  name = "api-ünïcode"
  app_settings = {
    "DB" = var.db_conn
  }
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.shared.id]
  }
}
"#;

const SECRET: &str = "Server=db;Password=hunter2hunter2;";

fn span_of(text: &str, file: FileId, needle: &str) -> Span {
    let start = text.find(needle).expect("needle in fixture");
    Span::new(file, start..start + needle.len())
}

fn finding(code: &'static str, name: &'static str, severity: Severity, d: Diagnostic) -> Finding {
    Finding {
        code,
        name,
        severity,
        diagnostic: d,
    }
}

/// Findings in two files, sorted as `check` sorts them (path, then position).
fn fixture() -> CheckResult {
    let mut sources = SourceDb::default();
    let root = sources.add(SourceFile::new(
        "main.tf".into(),
        FileKind::Terraform,
        ROOT_TF.into(),
        true,
    ));
    let module = sources.add(SourceFile::new(
        "modules/app/main.tf".into(),
        FileKind::Terraform,
        MODULE_TF.into(),
        true,
    ));
    let secret_span = span_of(ROOT_TF, root, &format!("\"{SECRET}\""));
    let findings = vec![
        finding(
            "IDL003",
            "unused-suppression",
            Severity::Warning,
            Diagnostic::new(
                "the suppression of `AZ105` suppressed nothing",
                Label::new(
                    span_of(ROOT_TF, root, "# idlint:ignore AZ105 -- legacy"),
                    "this comment",
                ),
                "main.tf:AZ105",
            )
            .with_help("remove the comment"),
        ),
        finding(
            "AZ301",
            "privileged-role-at-broad-scope",
            Severity::Error,
            Diagnostic::new(
                "`Owner` at subscription scope for the identity of `module.app`",
                Label::new(span_of(ROOT_TF, root, "\"Owner\""), "privileged role"),
                "azurerm_role_assignment.owner.role_definition_name",
            )
            .with_label(Label::new(
                span_of(ROOT_TF, root, "data.azurerm_subscription.current.id"),
                "subscription scope",
            ))
            .with_help("assign a narrower role at the resource group or resource"),
        ),
        finding(
            "AZ101",
            "secret-in-app-settings",
            Severity::Error,
            Diagnostic::new(
                "app setting `DB` holds a literal password (`\"Ser…`)",
                Label::new(span_of(MODULE_TF, module, "var.db_conn"), "this setting"),
                "module.app.azurerm_linux_web_app.api.app_settings.DB",
            )
            .with_label(Label::new(secret_span, "the value is written here"))
            .with_redacted(secret_span)
            .with_help("store it in Key Vault and use `@Microsoft.KeyVault(SecretUri=...)`"),
        ),
        finding(
            "AZ203",
            "shared-user-assigned-identity",
            Severity::Note,
            Diagnostic::new(
                "identity `shared` is attached to 50% of workloads; see [docs] <here> & a,b:c\nsecond line",
                Label::new(
                    span_of(
                        MODULE_TF,
                        module,
                        "azurerm_user_assigned_identity.shared.id",
                    ),
                    "",
                ),
                "module.app.azurerm_linux_web_app.api.identity",
            ),
        ),
    ];
    CheckResult::new(sources, findings)
}

fn render(format: Format) -> String {
    report::render(format, &fixture(), false, false)
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        &format!("\"{}\"", regex_escape(env!("CARGO_PKG_VERSION"))),
        "\"[version]\"",
    );
    settings.set_prepend_module_to_snapshot(false);
    settings
}

fn regex_escape(text: &str) -> String {
    text.replace('.', r"\.")
}

#[test]
fn secrets_never_appear_in_any_format() {
    for format in [
        Format::Human,
        Format::Compact,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::AzureDevops,
        Format::Junit,
    ] {
        let out = render(format);
        assert!(
            !out.contains("hunter2"),
            "{format:?} leaks the secret:\n{out}"
        );
    }
}

#[test]
fn github_snapshot() {
    settings().bind(|| insta::assert_snapshot!("github", render(Format::Github)));
}

#[test]
fn github_annotations_escape_properties_and_message() {
    let out = render(Format::Github);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("::warning file=main.tf,line=1,col=1,endLine=1,endColumn=32,title=IDL003 unused-suppression::"));
    assert!(
        lines[1].starts_with("::error file=main.tf,line=9,col=26,"),
        "{}",
        lines[1]
    );
    assert!(lines[3].starts_with("::notice file=modules/app/main.tf,"));
    assert!(lines[3].ends_with("::identity `shared` is attached to 50%25 of workloads; see [docs] <here> & a,b:c%0Asecond line"));
}

#[test]
fn azure_devops_snapshot() {
    settings().bind(|| insta::assert_snapshot!("azure_devops", render(Format::AzureDevops)));
}

#[test]
fn azure_devops_maps_notes_to_warnings_and_escapes() {
    let out = render(Format::AzureDevops);
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("##vso[task.logissue type=warning;sourcepath=modules/app/main.tf;linenumber=10;columnnumber=21;code=AZ203]"),
        "{last}"
    );
    assert!(last.contains("50%AZP25 of workloads; see [docs]"), "{last}");
    assert!(last.ends_with("%0Asecond line"), "{last}");
}

#[test]
fn junit_snapshot() {
    settings().bind(|| insta::assert_snapshot!("junit", render(Format::Junit)));
}

#[test]
fn junit_is_well_formed_with_one_suite_per_file() {
    use quick_xml::events::Event;
    let out = render(Format::Junit);
    let mut reader = quick_xml::Reader::from_str(&out);
    let mut suites = Vec::new();
    let mut cases = Vec::new();
    let mut failures = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name).ok().flatten().and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(|v| v.into_owned())
                    })
                };
                match e.name().as_ref() {
                    "testsuite" => suites.push(attr("name").unwrap_or_default()),
                    "testcase" => cases.push((
                        attr("classname").unwrap_or_default(),
                        attr("name").unwrap_or_default(),
                    )),
                    "failure" => {
                        failures += 1;
                        assert!(attr("message").is_some() && attr("type").is_some());
                    }
                    _ => {}
                }
            }
            Ok(_) => {}
            Err(e) => panic!("malformed XML at {}: {e}\n{out}", reader.buffer_position()),
        }
    }
    assert_eq!(suites, ["main.tf", "modules/app/main.tf"]);
    assert_eq!(failures, 4);
    assert_eq!(
        cases[1],
        (
            "main.tf".to_string(),
            "AZ301 privileged-role-at-broad-scope at 9:26".to_string()
        )
    );
    assert!(out.contains("see [docs] &lt;here&gt; &amp; a,b:c&#10;second line"));
}

#[test]
fn junit_clean_run_has_one_passing_case() {
    let result = CheckResult::new(SourceDb::default(), Vec::new());
    let out = report::render(Format::Junit, &result, false, false);
    assert!(out.contains("<testcase name=\"no findings\" classname=\"idlint\"/>"));
    assert!(out.contains("failures=\"0\""));
}

/// The SARIF log with the rule descriptors' texts replaced: they come from the rule catalog
/// and docs, which other tests check, and would otherwise change this snapshot with every doc
/// edit.
fn sarif_with_stable_rule_texts() -> serde_json::Value {
    let mut log: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif)).expect("SARIF is JSON");
    if let Some(rules) = log["runs"][0]["tool"]["driver"]["rules"].as_array_mut() {
        for rule in rules {
            for key in ["shortDescription", "fullDescription"] {
                rule[key]["text"] = "[from the catalog]".into();
            }
            rule["help"]["text"] = "[from the docs]".into();
            rule["help"]["markdown"] = "[from the docs]".into();
            rule["defaultConfiguration"]["level"] = "[from the catalog]".into();
            if let Some(rule) = rule.as_object_mut() {
                rule.remove("helpUri");
            }
        }
    }
    log
}

#[test]
fn sarif_snapshot() {
    let text = serde_json::to_string_pretty(&sarif_with_stable_rule_texts()).unwrap_or_default();
    settings().bind(|| insta::assert_snapshot!("sarif", text));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).expect("schema");
    // The official `language` patterns have a lone `]`, a literal in ECMAScript regexes but an
    // error for the validator's check of the schema itself; escaping it means the same thing.
    let fixed = escape_lone_bracket(&mut schema);
    assert_eq!(fixed, 2, "the schema's `language` patterns changed");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let empty = CheckResult::new(SourceDb::default(), Vec::new());
    for out in [
        render(Format::Sarif),
        report::render(Format::Sarif, &empty, false, false),
    ] {
        let log: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // The schema is strict enough to catch a broken log.
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    assert!(!validator.is_valid(&broken));
}

fn escape_lone_bracket(value: &mut serde_json::Value) -> usize {
    const LANGUAGE: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::Object(map) => {
            let mut fixed = 0;
            for (key, child) in map.iter_mut() {
                if key == "pattern" && child == LANGUAGE {
                    *child = r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\]?$".into();
                    fixed += 1;
                } else {
                    fixed += escape_lone_bracket(child);
                }
            }
            fixed
        }
        serde_json::Value::Array(items) => items.iter_mut().map(escape_lone_bracket).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_results_have_what_code_scanning_needs() {
    let log: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif)).expect("SARIF is JSON");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    // Only rules with results, each once, by code.
    assert_eq!(ids, ["AZ101", "AZ203", "AZ301", "IDL003"]);
    for rule in rules {
        assert_eq!(rule["properties"]["tags"], serde_json::json!(["security"]));
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let print = result["partialFingerprints"]["idlint/v1"]
            .as_str()
            .expect("fingerprint");
        assert!(print.len() > 16, "{print}");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    }
    let secret = results
        .iter()
        .find(|r| r["ruleId"] == "AZ101")
        .expect("AZ101 result");
    assert_eq!(
        secret["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "modules/app/main.tf"
    );
    assert_eq!(
        secret["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "main.tf"
    );
    assert_eq!(
        secret["relatedLocations"][0]["message"]["text"],
        "the value is written here"
    );
    let severities: Vec<(&str, &str)> = rules
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default(),
                r["properties"]["security-severity"]
                    .as_str()
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert!(severities.contains(&("AZ301", "8.0")));
    assert!(severities.contains(&("IDL003", "5.0")));
    assert!(severities.contains(&("AZ203", "2.0")));
}

#[test]
fn sarif_rule_help_comes_from_the_catalog() {
    let log: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif)).expect("SARIF is JSON");
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
    {
        let code = rule["id"].as_str().unwrap_or_default();
        let Some(meta) = idlint::rules::find(code) else {
            continue;
        };
        let markdown = rule["help"]["markdown"].as_str().unwrap_or_default();
        if meta.docs.trim().is_empty() {
            assert!(
                markdown.contains(&format!("idlint explain {code}")),
                "{markdown}"
            );
        } else {
            assert_eq!(markdown, meta.docs.trim());
        }
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            meta.severity.as_str()
        );
    }
}

#[test]
fn sarif_caps_results_and_related_locations() {
    let mut result = fixture();
    let template = result.findings[1].clone();
    let mut many = template.clone();
    let extra: Vec<Label> = (0..150)
        .map(|i| Label::new(Span::new(FileId(0), i..i + 1), format!("label {i}")))
        .collect();
    many.diagnostic.secondary = extra;
    result.findings = vec![many];
    for _ in 0..25_010 {
        result.findings.push(template.clone());
    }
    let log: serde_json::Value =
        serde_json::from_str(&report::render(Format::Sarif, &result, false, false))
            .expect("SARIF is JSON");
    let run = &log["runs"][0];
    assert_eq!(run["results"].as_array().map(Vec::len), Some(25_000));
    assert_eq!(
        run["results"][0]["relatedLocations"]
            .as_array()
            .map(Vec::len),
        Some(100)
    );
    let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        note.starts_with("11 of 25011 results were left out"),
        "{note}"
    );
}

#[test]
fn json_and_compact_stay_as_they_were() {
    let compact = render(Format::Compact);
    assert_eq!(
        compact.lines().nth(1),
        Some(
            "main.tf:9:26: error: `Owner` at subscription scope for the identity of `module.app` [AZ301]"
        )
    );
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).expect("JSON");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(4));
}
