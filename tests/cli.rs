//! End to end against the binary: exit codes (SPEC §1), `--fail-on`, every `--format` with
//! `--output`, and baselines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_idlint");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/precommit")
        .join(name)
}

/// A temporary directory holding copies of fixtures, under new names.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (fixture_name, name) in files {
        std::fs::copy(fixture(fixture_name), dir.path().join(name)).expect("copy fixture");
    }
    dir
}

/// Writes `text` to `root/name`, making the folders it is in.
fn write_file(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("spawn idlint")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exit code, not a signal")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn clean_directory_exits_0() {
    let dir = dir_with(&[("valid.tf", "main.tf")]);
    for fail_on in ["error", "warning", "note", "never"] {
        let out = run(dir.path(), &["check", "--fail-on", fail_on]);
        assert_eq!(code(&out), 0, "--fail-on {fail_on}: {}", stderr(&out));
    }
    let out = run(dir.path(), &["check", "."]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("No problems found in 1 file."));
}

#[test]
fn invalid_file_exits_1_with_idl001() {
    let dir = dir_with(&[("valid.tf", "ok.tf"), ("invalid.tf", "main.tf")]);
    let out = run(dir.path(), &["check", "--format", "compact"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("main.tf:"), "{text}");
    assert!(text.contains(": error: "), "{text}");
    assert!(text.trim_end().ends_with("[IDL001]"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

/// Variable and parameter files given as options are not reported on, but one that cannot be
/// parsed is: otherwise its values would be missing without a word.
#[test]
fn an_invalid_var_file_or_parameter_file_is_reported() {
    let dir = dir_with(&[("valid.tf", "main.tf")]);
    std::fs::write(dir.path().join("prod.tfvars"), "location = \n").unwrap();
    std::fs::write(
        dir.path().join("prod.parameters.json"),
        "{\"parameters\": {",
    )
    .unwrap();
    for (option, file) in [
        ("--var-file", "prod.tfvars"),
        ("--parameters", "prod.parameters.json"),
    ] {
        let out = run(
            dir.path(),
            &["check", "main.tf", option, file, "--format", "compact"],
        );
        assert_eq!(code(&out), 1, "{option}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with(&format!("{file}:1:")), "{option}: {text}");
        assert!(text.trim_end().ends_with("[IDL001]"), "{option}: {text}");
        assert_eq!(text.lines().count(), 1, "{option}: {text}");
    }
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = dir_with(&[("invalid.tf", "main.tf")]);
    for (fail_on, expected) in [("error", 1), ("warning", 1), ("note", 1), ("never", 0)] {
        let out = run(
            dir.path(),
            &["check", "--format", "compact", "--fail-on", fail_on],
        );
        assert_eq!(code(&out), expected, "--fail-on {fail_on}");
        // The finding is reported whatever the threshold.
        assert!(stdout(&out).contains("[IDL001]"), "--fail-on {fail_on}");
    }
}

#[test]
fn fail_on_compares_severities() {
    use idlint::check::exit_code;
    use idlint::diagnostic::{Diagnostic, Finding, Label, Severity};
    use idlint::span::{FileId, Span};
    let finding = |severity| Finding {
        code: "AZ203",
        name: "shared-user-assigned-identity",
        severity,
        diagnostic: Diagnostic::new("m", Label::new(Span::new(FileId(0), 0..0), ""), ""),
    };
    let warning = [finding(Severity::Warning)];
    assert_eq!(exit_code(&warning, Some(Severity::Error)), 0);
    assert_eq!(exit_code(&warning, Some(Severity::Warning)), 1);
    assert_eq!(exit_code(&warning, Some(Severity::Note)), 1);
    assert_eq!(exit_code(&warning, None), 0);
    let note = [finding(Severity::Note)];
    assert_eq!(exit_code(&note, Some(Severity::Warning)), 0);
    assert_eq!(exit_code(&note, Some(Severity::Note)), 1);
    assert_eq!(exit_code(&[], Some(Severity::Note)), 0);
}

#[test]
fn bad_flags_exit_2() {
    let dir = dir_with(&[("valid.tf", "main.tf")]);
    for args in [
        &["check", "--fail-on", "sometimes"][..],
        &["check", "--format", "xml"],
        &["check", "--threads", "0"],
        &["check", "--no-such-flag"],
        &["check", "--select", "AZ999"],
        &["frobnicate"],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(!stderr(&out).is_empty(), "{args:?}: no message");
    }
}

#[test]
fn a_long_unknown_rule_is_shown_cut_short() {
    let dir = dir_with(&[("valid.tf", "main.tf")]);
    let key = format!("AZ{}", "9".repeat(100_000));
    let config = format!("rule \"{key}\" {{ enabled = false }}\n");
    std::fs::write(dir.path().join(".idlint.hcl"), config).expect("write");
    for args in [
        &["check", "--no-config", "--select", &key][..],
        &["explain", &key],
        &["check"],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains("unknown rule"), "{}", stderr(&out));
        assert!(stderr(&out).contains("99...`"), "{}", stderr(&out));
        assert!(stderr(&out).len() < 2_000, "{} bytes", stderr(&out).len());
    }
}

#[test]
fn names_from_the_scanned_code_cannot_start_lines_or_drive_the_terminal() {
    // A name with a line break would start a line that a GitHub runner reads as a workflow
    // command; escape sequences in a name or in the code around a finding reach the terminal.
    let dir = tempfile::tempdir().expect("temp dir");
    let code = "resource \"azurerm_storage_account\" \"s\" {\n  # \u{1b}[31m \u{9b}\n  \
                name = \"x\\n::error file=a.tf::forged\\u001b[2J\"\n}\n";
    std::fs::write(dir.path().join("main.tf"), code).expect("write");
    for format in ["human", "compact"] {
        let out = stdout(&run(dir.path(), &["check", "--format", format]));
        assert!(out.contains("AZ106"), "{format}: {out}");
        assert!(
            out.contains(r"x\n::error file=a.tf::forged\u{1b}[2J"),
            "{format}: {out}"
        );
        assert!(!out.lines().any(|l| l.starts_with("::")), "{format}: {out}");
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: {out:?}"
        );
    }
}

#[test]
fn a_secret_found_is_masked_wherever_else_it_shows() {
    // Each secret is reported where it is written, and also shows in a name built from it and,
    // in `main.tf`, in a comment beside another finding. The ARM one is written with escapes,
    // which the name shows decoded.
    let dir = tempfile::tempdir().expect("temp dir");
    let variables = r#"variable "admin_password" {
  default = "Sup3rS3cret!Value"
}
"#;
    let terraform = r#"resource "azurerm_linux_web_app" "app" {
  # the old password was Sup3rS3cret!Value
  name = "app-${var.admin_password}"
}
"#;
    let arm = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {
    "adminPassword": { "type": "securestring", "defaultValue": "Arm\"S3cret\"Value" }
  },
  "resources": [
    {
      "type": "Microsoft.Web/sites",
      "apiVersion": "2022-03-01",
      "name": "[concat('site-', parameters('adminPassword'))]",
      "properties": {}
    }
  ]
}
"#;
    std::fs::write(dir.path().join("variables.tf"), variables).expect("write");
    std::fs::write(dir.path().join("main.tf"), terraform).expect("write");
    std::fs::write(dir.path().join("azuredeploy.json"), arm).expect("write");
    use clap::ValueEnum;
    for format in idlint::report::Format::value_variants() {
        let format = format.to_possible_value().expect("a named format");
        let format = format.get_name();
        let out = stdout(&run(dir.path(), &["check", "--format", format]));
        assert!(out.contains("site-Arm"), "{format}: {out}");
        assert!(!out.contains("S3cret"), "{format} shows a secret: {out}");
    }
    let compact = stdout(&run(dir.path(), &["check", "--format", "compact"]));
    assert_eq!(compact.matches("[AZ103]").count(), 2, "{compact}");
    assert_eq!(compact.matches("[AZ201]").count(), 2, "{compact}");
    assert!(compact.contains("web app `app-Sup3…`"), "{compact}");
    assert!(compact.contains("web app `site-Arm\"…`"), "{compact}");
    // Named alone, as a pre-commit hook names a changed file: the finding on the secret is in
    // a file not reported, and the secret is masked all the same.
    for args in [&["check"][..], &["check", "main.tf"]] {
        let human = stdout(&run(dir.path(), args));
        assert!(human.contains("`app-Sup3…`"), "{args:?}: {human}");
        assert!(
            human.contains("# the old password was Sup3****"),
            "{args:?}: {human}"
        );
        assert!(!human.contains("S3cret"), "{args:?}: {human}");
    }
}

#[test]
fn a_secret_cut_by_the_piece_of_a_long_line_shown_is_masked() {
    // A minified template: the snippet of the second finding is a piece of its one line, and
    // for some lengths of `pad` that piece begins inside the secret's second copy.
    let dir = tempfile::tempdir().expect("temp dir");
    for pad in 0..30 {
        let template = format!(
            r#"{{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","parameters":{{"adminPassword":{{"type":"securestring","defaultValue":"LongS3cretValue123!"}}}},"variables":{{"b":"{}","old":"LongS3cretValue123!","pad":"{}"}},"resources":[{{"type":"Microsoft.Web/sites","apiVersion":"2022-03-01","name":"site","properties":{{}}}}]}}"#,
            "y".repeat(5000),
            "x".repeat(pad)
        );
        std::fs::write(dir.path().join("azuredeploy.json"), template).expect("write");
        let human = stdout(&run(dir.path(), &["check"]));
        assert!(human.contains("AZ201"), "{human}");
        for part in ["S3cret", "Value12", "e123!"] {
            assert!(!human.contains(part), "pad {pad}: {human}");
        }
    }
}

#[test]
fn missing_path_exits_2() {
    let dir = dir_with(&[("valid.tf", "main.tf")]);
    let out = run(dir.path(), &["check", "main.tf", "no/such/dir"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no/such/dir"), "{}", stderr(&out));
}

#[test]
fn unusable_baseline_exits_2() {
    let dir = dir_with(&[("valid.tf", "main.tf")]);
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text);
    write("garbage.json", "{ not json").expect("write");
    write("wrong-shape.json", r#"{"version": 1, "findings": []}"#).expect("write");
    write("future.json", r#"{"version": 99, "fingerprints": []}"#).expect("write");
    std::fs::create_dir(dir.path().join("a-directory")).expect("mkdir");
    for (file, expected) in [
        ("missing.json", "cannot read the baseline missing.json"),
        ("a-directory", "cannot read the baseline a-directory"),
        ("garbage.json", "garbage.json: not an idlint baseline"),
        (
            "wrong-shape.json",
            "wrong-shape.json: not an idlint baseline",
        ),
        ("future.json", "baseline version 99 is not supported"),
    ] {
        let out = run(dir.path(), &["check", "--baseline", file]);
        assert_eq!(code(&out), 2, "{file}");
        assert!(stderr(&out).contains(expected), "{file}: {}", stderr(&out));
        // The reason follows the path once, not wrapped in a second "cannot read".
        assert!(
            stderr(&out).matches("cannot read").count() <= 1,
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn every_format_writes_to_output() {
    let dir = dir_with(&[("invalid.tf", "main.tf")]);
    type Check<'a> = (&'a str, &'a dyn Fn(&str) -> bool);
    let checks: [Check; 7] = [
        ("human", &|t| {
            t.contains("IDL001 invalid-file") && t.contains("1 error")
        }),
        ("compact", &|t| {
            t.starts_with("main.tf:4:13: error: ") && t.contains("[IDL001]")
        }),
        ("json", &|t| {
            serde_json::from_str::<serde_json::Value>(t)
                .is_ok_and(|v| v["findings"][0]["rule"] == "IDL001")
        }),
        ("sarif", &|t| {
            serde_json::from_str::<serde_json::Value>(t).is_ok_and(|v| {
                v["version"] == "2.1.0" && v["runs"][0]["results"][0]["ruleId"] == "IDL001"
            })
        }),
        ("github", &|t| {
            t.starts_with("::error file=main.tf,line=4,col=13,") && t.contains("title=IDL001 ")
        }),
        ("azure-devops", &|t| {
            t.starts_with(
                "##vso[task.logissue type=error;sourcepath=main.tf;linenumber=4;columnnumber=13;",
            ) && t.contains(";code=IDL001]")
        }),
        ("junit", &|t| {
            t.starts_with("<?xml") && t.contains("<testcase name=\"IDL001 invalid-file at 4:13\"")
        }),
    ];
    for (format, check) in checks {
        let file = format!("report.{format}");
        let out = run(
            dir.path(),
            &["check", "--format", format, "--output", &file],
        );
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{format}: wrote to stdout too");
        let text = std::fs::read_to_string(dir.path().join(&file)).expect("report written");
        assert!(check(&text), "{format}:\n{text}");
    }
    let out = run(
        dir.path(),
        &["check", "--format", "sarif", "--output", "no/such/dir/x"],
    );
    assert_eq!(code(&out), 2);
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = dir_with(&[("invalid.tf", "main.tf"), ("valid.tf", "ok.tf")]);
    let out = run(
        dir.path(),
        &[
            "check",
            "--write-baseline",
            "baseline.json",
            "--format",
            "compact",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("recorded 1 finding in baseline.json"));
    let first = std::fs::read_to_string(dir.path().join("baseline.json")).expect("baseline");
    let file: serde_json::Value = serde_json::from_str(&first).expect("baseline JSON");
    assert_eq!(file["version"], 1);
    assert_eq!(file["fingerprints"][0]["rule"], "IDL001");
    assert_eq!(file["fingerprints"][0]["path"], "main.tf");

    // Writing again gives the same bytes.
    run(
        dir.path(),
        &["check", "--write-baseline", "baseline.json", "-q"],
    );
    let second = std::fs::read_to_string(dir.path().join("baseline.json")).expect("baseline");
    assert_eq!(first, second);

    let out = run(
        dir.path(),
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--format",
            "compact",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));

    std::fs::copy(fixture("invalid.tf"), dir.path().join("new.tf")).expect("copy");
    let out = run(
        dir.path(),
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--format",
            "compact",
        ],
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.starts_with("new.tf:"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");

    let out = run(
        dir.path(),
        &["check", "--baseline", "baseline.json", "--format", "sarif"],
    );
    let log: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("SARIF");
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_baseline_from_a_scan_covers_a_module_file_named_alone() {
    // The pre-commit hook names the changed file: a Terraform module's file named alone is
    // checked through its caller, as in the scan that wrote the baseline, and an ARM template
    // whose caller is too far away to be looked for, on its own.
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| write_file(dir.path(), name, text);
    write(
        "main.tf",
        "module \"app\" {\n  source = \"./modules/storage\"\n}\n",
    );
    write(
        "modules/storage/main.tf",
        r#"resource "azurerm_storage_account" "sa" {
  name                     = "stapp"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
"#,
    );
    let schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
    write(
        "arm/samples/web/app/azuredeploy.json",
        &format!(
            r#"{{"$schema": "{schema}", "resources": [
                 {{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "storage",
                   "properties": {{"mode": "Incremental",
                     "templateLink": {{"uri": "https://raw.githubusercontent.com/contoso/arm/main/modules/storage.json"}}}}}}]}}"#
        ),
    );
    write(
        "arm/modules/storage.json",
        &format!(
            r#"{{"$schema": "{schema}", "resources": [
                 {{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "stmodule"}}]}}"#
        ),
    );
    let scan = compact(dir.path(), ".");
    assert_eq!(scan.len(), 2, "{scan:?}");
    assert!(
        scan.iter()
            .any(|l| l.contains("module.app.azurerm_storage_account.sa")),
        "{scan:?}"
    );
    assert!(
        scan.iter().any(|l| l.contains("templateLink.resources[0]")),
        "{scan:?}"
    );
    let out = run(
        dir.path(),
        &[
            "check",
            ".",
            "--no-config",
            "--write-baseline",
            "baseline.json",
            "-q",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for (named, through) in [
        ("modules/storage/main.tf", Some("module.app")),
        ("arm/modules/storage.json", None),
    ] {
        // Named alone, the finding is there, through its caller or none...
        let alone = compact(dir.path(), named);
        assert_eq!(alone.len(), 1, "{alone:?}");
        match through {
            Some(call) => assert!(alone[0].contains(call), "{alone:?}"),
            None => assert!(!alone[0].contains("templateLink"), "{alone:?}"),
        }
        // ...and the baseline knows it.
        let args = [
            "check",
            named,
            "--no-config",
            "--baseline",
            "baseline.json",
            "--format",
            "compact",
        ];
        let out = run(dir.path(), &args);
        assert_eq!(code(&out), 0, "{named}: {}", stdout(&out));
    }
}

#[test]
fn named_files_are_the_only_ones_reported() {
    // The pre-commit case: files on argv, a broken sibling not among them.
    let dir = dir_with(&[("valid.tf", "main.tf"), ("invalid.tf", "broken.tf")]);
    let out = run(dir.path(), &["check", "main.tf"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = run(dir.path(), &["check", "main.tf", "broken.tf"]);
    assert_eq!(code(&out), 1);
}

#[test]
fn a_named_file_that_nothing_checks_is_said_to_be_unchecked() {
    // Named under a name idlint does not scan by, a file is read as an ARM template; one that
    // is none was reported as clean without a word.
    let dir = dir_with(&[("valid.tf", "main.tf.bak"), ("valid.tf", "main.tf")]);
    let template =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/examples/arm/azuredeploy.json");
    std::fs::copy(template, dir.path().join("azuredeploy.template")).expect("copy template");
    std::fs::write(dir.path().join("package.json"), r#"{"name": "x"}"#).expect("write");
    let out = run(dir.path(), &["check", "main.tf.bak"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("main.tf.bak: not checked: its name is not that of a Terraform file"),
        "{}",
        stderr(&out)
    );
    assert!(
        run(dir.path(), &["check", "main.tf.bak", "-q"])
            .stderr
            .is_empty()
    );
    // An ARM template is checked whatever its name; a hook names every JSON file.
    for checked in ["azuredeploy.template", "package.json", "main.tf"] {
        let out = run(dir.path(), &["check", checked]);
        assert!(out.stderr.is_empty(), "{checked}: {}", stderr(&out));
    }
    assert_eq!(
        code(&run(dir.path(), &["check", "azuredeploy.template"])),
        1
    );
}

#[test]
fn a_named_tfvars_file_reports_the_secret_it_adds() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"azurerm_linux_web_app\" \"app\" {\n  name = \"app\"\n  identity {\n    type = \"SystemAssigned\"\n  }\n  app_settings = {\n    DB_PASSWORD = var.db_password\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("other.tf"), "locals {\n  x = 1\n}\n").unwrap();
    std::fs::write(
        dir.path().join("terraform.tfvars"),
        "db_password = \"Sup3r-Secret-Example\"\n",
    )
    .unwrap();

    let output = run(
        dir.path(),
        &["check", "terraform.tfvars", "--format", "compact"],
    );
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    assert!(
        stdout(&output).starts_with("main.tf:12:19: error: app setting `DB_PASSWORD`"),
        "{}",
        stdout(&output)
    );
    assert!(
        !stdout(&output).contains("Sup3r-Secret"),
        "the secret leaked: {}",
        stdout(&output)
    );

    // A named file the finding does not touch reports nothing.
    let output = run(dir.path(), &["check", "other.tf", "--format", "compact"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

/// The lines of a `--format compact` run in `dir`.
fn compact(dir: &Path, target: &str) -> Vec<String> {
    let output = run(
        dir,
        &["check", target, "--format", "compact", "--no-config"],
    );
    stdout(&output).lines().map(str::to_string).collect()
}

#[test]
fn a_named_template_or_parameter_file_brings_its_partner() {
    // The template takes `adminPassword` from its parameter file.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules/AZ105/arm/bad");
    let whole = compact(&dir, ".");
    let from_parameters: Vec<String> = whole
        .iter()
        .filter(|line| line.contains("osProfile.adminPassword` of `vm-build-01` (`resources[0]`)"))
        .cloned()
        .collect();
    assert_eq!(from_parameters.len(), 1, "{whole:?}");
    // Named alone, the template is checked with its parameter values, as in a directory scan.
    assert_eq!(compact(&dir, "azuredeploy.json"), whole);
    // Named alone, the parameter file reports the findings its values cause.
    assert_eq!(
        compact(&dir, "azuredeploy.parameters.json"),
        from_parameters
    );

    // A broken parameter file named alone is an invalid file, as in a directory scan.
    let broken = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        dir.join("azuredeploy.json"),
        broken.path().join("main.json"),
    )
    .unwrap();
    std::fs::write(
        broken.path().join("main.parameters.json"),
        "{\"parameters\": {",
    )
    .unwrap();
    let lines = compact(broken.path(), "main.parameters.json");
    assert!(
        lines.len() == 1
            && lines[0].starts_with("main.parameters.json:1:")
            && lines[0].ends_with("[IDL001]"),
        "{lines:?}"
    );
}

#[test]
fn a_linked_parameter_file_is_read_in_a_scan_and_for_a_named_template() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    let schema = "https://schema.management.azure.com/schemas/2019-04-01";
    let caller = format!(
        r#"{{"$schema": "{schema}/deploymentTemplate.json#",
             "parameters": {{"_artifactsLocation": {{"type": "string"}}}},
             "resources": [{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
               "name": "storage",
               "properties": {{"mode": "Incremental",
                 "templateLink": {{"uri": "[uri(parameters('_artifactsLocation'), 'nested/storage.json')]"}},
                 "parametersLink": {{"uri": "[uri(parameters('_artifactsLocation'), 'nested/prod.parameters.json')]"}}}}}}]}}"#
    );
    // Shared keys are off by default, and the linked parameter file turns them on.
    let module = format!(
        r#"{{"$schema": "{schema}/deploymentTemplate.json#",
             "parameters": {{"sharedKeys": {{"type": "bool", "defaultValue": false}}}},
             "resources": [{{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
               "name": "stprod",
               "properties": {{"allowSharedKeyAccess": "[parameters('sharedKeys')]"}}}}]}}"#
    );
    let parameters = format!(
        r#"{{"$schema": "{schema}/deploymentParameters.json#",
             "parameters": {{"sharedKeys": {{"value": true}}}}}}"#
    );
    std::fs::write(dir.path().join("azuredeploy.json"), caller).unwrap();
    std::fs::write(dir.path().join("nested/storage.json"), module).unwrap();
    std::fs::write(dir.path().join("nested/prod.parameters.json"), parameters).unwrap();
    let whole = compact(dir.path(), ".");
    assert!(
        whole.len() == 1
            && whole[0].starts_with("nested/storage.json:")
            && whole[0].ends_with("[AZ106]"),
        "{whole:?}"
    );
    // Named alone, the template brings the parameter file it links, as it brings the template.
    assert_eq!(compact(dir.path(), "azuredeploy.json"), whole);
}

#[test]
fn a_named_template_brings_the_templates_it_links_and_those_that_link_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules/AZ302/arm/bad_linked");
    let whole = compact(&dir, ".");
    let linked: Vec<&String> = whole
        .iter()
        .filter(|line| line.starts_with("nestedtemplates/") && line.ends_with("[AZ302]"))
        .collect();
    assert_eq!(linked.len(), 2, "{whole:?}");
    // Named alone, the template reads the files it links from beside it, as a directory scan
    // does, and reports what they do with the identity it passes them.
    assert_eq!(compact(&dir, "azuredeploy.json"), whole);
    // A linked file named alone reads the template that links it, from the folder above, and is
    // checked as that template deploys it: the principal it is passed is known.
    for name in ["nestedtemplates/owner.json", "nestedtemplates/roles.json"] {
        let alone = compact(&dir, name);
        let in_scan: Vec<&String> = whole.iter().filter(|line| line.starts_with(name)).collect();
        assert_eq!(alone.len(), 1, "{alone:?}");
        assert_eq!(alone.iter().collect::<Vec<_>>(), in_scan);
    }

    // A link assembled from pieces names no file in the text: the named template brings the
    // templates under its folder.
    let pieces = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(pieces.path().join("nestedtemplates")).unwrap();
    for name in ["nestedtemplates/roles.json", "nestedtemplates/owner.json"] {
        std::fs::copy(dir.join(name), pieces.path().join(name)).unwrap();
    }
    let parent = std::fs::read_to_string(dir.join("azuredeploy.json")).unwrap();
    let assembled = parent.replace(
        "'nestedtemplates/roles.json'",
        "'nestedtemplates/', 'roles', '.json'",
    );
    assert_ne!(assembled, parent);
    std::fs::write(pieces.path().join("azuredeploy.json"), assembled).unwrap();
    assert_eq!(compact(pieces.path(), "azuredeploy.json"), whole);
    // Named alone, the linked file finds that caller too: its text names the file's stem.
    assert_eq!(
        compact(pieces.path(), "nestedtemplates/roles.json"),
        [whole[1].clone()]
    );

    // A link that writes the beginning of the file's name and computes the rest: named alone,
    // the file finds that caller too, and is checked as the scan checks it.
    let beginning = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(beginning.path().join("nestedtemplates")).unwrap();
    for (from, to) in [
        (
            "nestedtemplates/roles.json",
            "nestedtemplates/roles-v1.json",
        ),
        ("nestedtemplates/owner.json", "nestedtemplates/owner.json"),
    ] {
        std::fs::copy(dir.join(from), beginning.path().join(to)).unwrap();
    }
    let computed = parent.replace(
        "'nestedtemplates/roles.json'",
        "'nestedtemplates/roles-', toLower('V1'), '.json'",
    );
    std::fs::write(beginning.path().join("azuredeploy.json"), computed).unwrap();
    let scan = compact(beginning.path(), ".");
    let in_scan: Vec<String> = scan
        .iter()
        .filter(|line| line.starts_with("nestedtemplates/roles-v1.json"))
        .cloned()
        .collect();
    assert_eq!(in_scan.len(), 1, "{scan:?}");
    assert_eq!(
        compact(beginning.path(), "nestedtemplates/roles-v1.json"),
        in_scan
    );
}

#[test]
fn a_module_no_caller_instantiates_is_checked_on_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let write = |name: &str, text: &str| write_file(root, name, text);
    let storage = |name: &str, extra: &str| {
        format!(
            "resource \"azurerm_storage_account\" \"{name}\" {{\n  name                     = \"st{name}\"\n  resource_group_name      = \"rg\"\n  location                 = \"westeurope\"\n  account_tier             = \"Standard\"\n  account_replication_type = \"LRS\"\n{extra}}}\n"
        )
    };
    write(
        "main.tf",
        "module \"archive\" {\n  source = \"./modules/off\"\n  count  = 0\n}\n\nmodule \"orders\" {\n  source     = \"./modules/on\"\n  shared_key = false\n}\n",
    );
    write("modules/off/main.tf", &storage("archive", ""));
    write(
        "modules/on/main.tf",
        &format!(
            "variable \"shared_key\" {{\n  type    = bool\n  default = true\n}}\n\n{}",
            storage("orders", "  shared_access_key_enabled = var.shared_key\n")
        ),
    );

    // `archive` is called with no instance: its code is still checked, as when named alone.
    let whole = compact(root, ".");
    assert_eq!(
        whole,
        [
            "modules/off/main.tf:1:1: warning: `starchive` (`azurerm_storage_account.archive`) leaves shared key access enabled by default [AZ106]"
        ],
    );
    assert_eq!(compact(root, "modules/off/main.tf"), whole);
    // `orders` is instantiated with `shared_key = false`: it is not also checked on its own
    // defaults in a directory scan, nor when named alone, since its caller is found.
    assert_eq!(compact(root, "modules/on/main.tf"), Vec::<String>::new());
}

#[test]
fn a_module_file_named_alone_is_checked_through_its_callers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    let write = |name: &str, text: &str| write_file(&root, name, text);
    std::fs::create_dir_all(root.join(".git")).unwrap();
    // The root calls `app`, which calls its sibling `vm` with the root's password; the module
    // `vm` has no value of its own. A folder beside `vm` names another module.
    write(
        "main.tf",
        "module \"app\" {\n  source         = \"./modules/app\"\n  admin_password = \"Root-Given-Pass-2024!\"\n}\n",
    );
    write(
        "modules/app/main.tf",
        "variable \"admin_password\" {\n  type      = string\n  sensitive = true\n}\n\nmodule \"vm\" {\n  source   = \"../vm/\"\n  password = var.admin_password\n}\n",
    );
    write(
        "modules/vm/main.tf",
        "variable \"password\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"azurerm_linux_virtual_machine\" \"vm\" {\n  name           = \"vm-app\"\n  admin_username = \"azureuser\"\n  admin_password = var.password\n}\n",
    );
    write(
        "modules/other/main.tf",
        "module \"x\" {\n  source = \"./nested\"\n}\n",
    );
    // Above the repository's root: not looked in. Were it read, its calls would add instances
    // (or findings) to what the repository's files get.
    std::fs::write(
        dir.path().join("outside.tf"),
        "module \"vm\" {\n  source   = \"./repo/modules/vm\"\n  password = \"Outside-Pass-2024!\"\n}\n\nmodule \"repo\" {\n  source = \"./repo\"\n}\n",
    )
    .unwrap();
    let scan: Vec<String> = compact(&root, ".")
        .into_iter()
        .filter(|l| l.contains("[AZ105]"))
        .collect();
    assert_eq!(
        scan,
        [
            "modules/vm/main.tf:9:20: error: `admin_password` of `vm-app` (`module.app.module.vm.azurerm_linux_virtual_machine.vm`) is a literal credential (`Root…`) [AZ105]"
        ]
    );
    // Named alone, the module's file is checked through the callers of its callers.
    let alone: Vec<String> = compact(&root, "modules/vm/main.tf")
        .into_iter()
        .filter(|l| l.contains("[AZ105]"))
        .collect();
    assert_eq!(alone, scan);
    // The root's own file named alone, where the literal is written: the same finding, and
    // nothing above the repository is read.
    let root_alone: Vec<String> = compact(&root, "main.tf")
        .into_iter()
        .filter(|l| l.contains("[AZ105]"))
        .collect();
    assert_eq!(root_alone, scan);
    // The human report shows the root's literal where it is written, masked.
    let out = run(&root, &["check", "modules/vm/main.tf", "--no-config"]);
    let human = stdout(&out);
    assert!(human.contains("admin_password = \"Root****"), "{human}");
    assert!(human.contains("the value is written here"), "{human}");
    assert!(
        !human.contains("Root-Given") && !human.contains("Outside"),
        "{human}"
    );
}

#[test]
fn a_module_repository_file_named_alone_is_checked_through_its_examples() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let write = |name: &str, text: &str| write_file(root, name, text);
    // The repository is the module; its examples call it from below, one in HCL with the call
    // on one line, one in JSON.
    std::fs::create_dir_all(root.join(".git")).unwrap();
    write(
        "main.tf",
        "variable \"admin_password\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"azurerm_linux_virtual_machine\" \"vm\" {\n  name           = \"vm-app\"\n  admin_username = \"azureuser\"\n  admin_password = var.admin_password\n}\n",
    );
    write(
        "examples/basic/main.tf",
        "module \"vm\" { source = \"../..\" }\n\nmodule \"vm_with_password\" {\n  admin_password = \"Example-Pass-2024!\"\n  source         = \"../../\"\n}\n",
    );
    write(
        "examples/json/main.tf.json",
        "{\"module\": {\"vm\": {\"source\": \"../..\", \"admin_password\": \"Json-Example-Pass-2024!\"}}}\n",
    );
    let scan: Vec<String> = compact(root, ".")
        .into_iter()
        .filter(|l| l.starts_with("main.tf"))
        .collect();
    assert_eq!(
        scan,
        [
            "main.tf:9:20: error: `admin_password` of `vm-app` (`module.vm.azurerm_linux_virtual_machine.vm`) is a literal credential (`Json…`) (and 1 more instance) [AZ105]"
        ]
    );
    assert_eq!(compact(root, "main.tf"), scan);
}

#[test]
fn a_finding_for_several_instances_says_how_many_more_there_are() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("modules/db")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        "module \"a\" {\n  source = \"./modules/db\"\n  name   = \"a\"\n}\n\nmodule \"b\" {\n  source = \"./modules/db\"\n  name   = \"b\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("modules/db/main.tf"),
        "variable \"name\" {}\n\nvariable \"admin_password\" {\n  type    = string\n  default = \"Sup3r-Secret-Pass!\"\n}\n\nresource \"azurerm_storage_account\" \"s\" {\n  name                     = \"st${var.name}\"\n  resource_group_name      = \"rg\"\n  location                 = \"westeurope\"\n  account_tier             = \"Standard\"\n  account_replication_type = \"LRS\"\n}\n",
    )
    .unwrap();
    // Each module instance finds both; one finding per location is kept. The storage account's
    // message names the instance, so it counts the other; the default's reads the same in both.
    assert_eq!(
        compact(root, "."),
        [
            "modules/db/main.tf:5:13: warning: variable `admin_password` has a literal secret default (`Sup3…`) [AZ103]",
            "modules/db/main.tf:8:1: warning: `sta` (`module.a.azurerm_storage_account.s`) leaves shared key access enabled by default (and 1 more instance) [AZ106]",
        ]
    );
}

#[test]
fn a_named_linked_template_counts_the_instances_of_its_code() {
    // Two web apps, each in its own linked template, and one role template linked for both:
    // one finding, for two instances.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
    let link = |name: &str, file: &str, parameters: &str| {
        format!(
            r#"{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "{name}",
                "properties": {{"mode": "Incremental", "templateLink": {{"relativePath": "nested/{file}"}},
                  "parameters": {{{parameters}}}}}}}"#
        )
    };
    let principal = |site: &str| {
        format!(
            r#""principalId": {{"value": "[reference(resourceId('Microsoft.Web/sites', '{site}'), '2023-12-01', 'full').identity.principalId]"}}"#
        )
    };
    std::fs::create_dir(root.join("nested")).unwrap();
    for site in ["app-a", "app-b"] {
        std::fs::write(
            root.join(format!("nested/{site}.json")),
            format!(
                r#"{{"$schema": "{schema}", "resources": [{{"type": "Microsoft.Web/sites",
                    "apiVersion": "2023-12-01", "name": "{site}", "identity": {{"type": "SystemAssigned"}}}}]}}"#
            ),
        )
        .unwrap();
    }
    std::fs::write(
        root.join("azuredeploy.json"),
        format!(
            r#"{{"$schema": "{schema}", "resources": [{}, {}, {}, {}]}}"#,
            link("site-a", "app-a.json", ""),
            link("site-b", "app-b.json", ""),
            link("owner-a", "owner.json", &principal("app-a")),
            link("owner-b", "owner.json", &principal("app-b"))
        ),
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/rules/AZ302/arm/bad_linked/nestedtemplates/owner.json"),
        root.join("nested/owner.json"),
    )
    .unwrap();
    let whole = compact(root, ".");
    assert_eq!(whole.len(), 1, "{whole:?}");
    assert!(
        whole[0].starts_with("nested/owner.json:")
            && whole[0].contains("`app-a`")
            && whole[0].ends_with("(and 1 more instance) [AZ302]"),
        "{whole:?}"
    );
    // Named alone, each linked file is deployed by its caller, which it brings along, and the
    // finding counts both instances, though only one of them points into `app-a.json`.
    assert_eq!(compact(root, "nested/owner.json"), whole);
    assert_eq!(compact(root, "nested/app-a.json"), whole);
}
