//! Hostile and broken inputs: idlint reports them (`IDL001`) or scans them, and never panics,
//! overflows its stack or hangs. Big inputs are generated in temp dirs, never committed.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

const DEPTH: usize = 100_000;
const RG_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// How long one run may take: the largest inputs here scan in seconds in a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn idlint(args: &[&str], dir: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idlint"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    run_within_limit(command)
}

/// Runs `command`, and fails when it runs past [`TIME_LIMIT`] (it is then stopped), so that a
/// hang or a slowdown to quadratic time fails the test instead of stalling it.
fn run_within_limit(mut command: Command) -> Output {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("idlint runs");
    // Read on threads, so that a full pipe does not stall idlint.
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).expect("read idlint's output");
            bytes
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for idlint") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} ran past {TIME_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
    }
}

/// Runs `idlint check . --format json` in `dir`: exit 0 or 1 (never a crash) and a JSON report.
fn check_json(dir: &Path) -> Vec<Json> {
    let output = idlint(&["check", ".", "--format", "json", "--no-config"], dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "status {:?}, stderr: {stderr}",
        output.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: Json = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn codes_for<'a>(findings: &'a [Json], path: &str) -> Vec<&'a str> {
    findings
        .iter()
        .filter(|f| f["path"].as_str().is_some_and(|p| p.ends_with(path)))
        .filter_map(|f| f["rule"].as_str())
        .collect()
}

/// Writes `main.tf` of a new module folder `module` in `dir`.
fn write_module(dir: &Path, module: &str, main_tf: String) {
    let folder = dir.join(module);
    fs::create_dir(&folder).unwrap();
    write(&folder, "main.tf", main_tf);
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, contents).unwrap();
    path
}

fn template_with(property: &str) -> String {
    format!(
        r#"{{"$schema": "{RG_SCHEMA}", "resources": [{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "app", "properties": {{"x": {property}}}}}]}}"#
    )
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Unbalanced and balanced nesting, in Terraform, Terraform JSON and ARM JSON.
    for (i, open, close) in [(0, "[", "]"), (1, "{", "}"), (2, "(", ")")] {
        let deep_open = open.repeat(DEPTH);
        let deep_close = close.repeat(DEPTH);
        write(
            d,
            &format!("open{i}.tf"),
            format!("locals {{\n  x = {deep_open}\n}}\n"),
        );
        let sub = d.join(format!("balanced{i}"));
        fs::create_dir(&sub).unwrap();
        write(
            &sub,
            "main.tf",
            format!("locals {{\n  x = {deep_open}1{deep_close}\n}}\n"),
        );
    }
    write(d, "open.tf.json", "[".repeat(DEPTH));
    write(d, "arm_open.json", template_with(&"[".repeat(DEPTH)));
    write(
        d,
        "arm_array.json",
        template_with(&format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH))),
    );
    write(
        d,
        "arm_object.json",
        template_with(&format!(
            "{}1{}",
            r#"{"a":"#.repeat(DEPTH),
            "}".repeat(DEPTH)
        )),
    );
    // An ARM expression nested 100,000 calls and parentheses deep.
    let call = format!("\"[{}'x'{}]\"", "concat(".repeat(DEPTH), ")".repeat(DEPTH));
    write(d, "arm_expr_calls.json", template_with(&call));
    let parens = format!("\"[{}'x'{}]\"", "(".repeat(DEPTH), ")".repeat(DEPTH));
    write(d, "arm_expr_parens.json", template_with(&parens));
    let open_parens = format!("\"[concat{}]\"", "(".repeat(DEPTH));
    write(d, "arm_expr_open.json", template_with(&open_parens));

    let findings = check_json(d);
    for i in 0..3 {
        assert!(
            codes_for(&findings, &format!("open{i}.tf")).contains(&"IDL001"),
            "open{i}.tf: {findings:?}"
        );
    }
    assert!(codes_for(&findings, "open.tf.json").contains(&"IDL001"));
    assert!(codes_for(&findings, "arm_open.json").contains(&"IDL001"));
    // Balanced, so valid JSON: too deep to read, which is not "not valid JSON".
    for name in ["arm_array.json", "arm_object.json"] {
        let messages: Vec<&str> = findings
            .iter()
            .filter(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "the template nests objects and arrays deeper than idlint reads (256 objects or 512 arrays)"
            ],
            "{name}"
        );
    }
}

#[test]
fn an_object_too_wide_for_the_parser_is_reported_not_parsed() {
    // The HCL parser takes time in the square of an object's items: 80,000 items took 44 s in
    // a release build. The file is refused at the object; the others are checked, and a string
    // of Terraform's JSON syntax holding such an object is read as text.
    let dir = tempfile::tempdir().unwrap();
    let items: String = (0..80_000)
        .map(|i| format!("    k{i} = \"v{i}\"\n"))
        .collect();
    write(
        dir.path(),
        "wide.tf",
        format!("locals {{\n  ranges = {{\n{items}  }}\n}}\n"),
    );
    let one_line: String = (0..80_000).map(|i| format!("k{i} = {i}, ")).collect();
    write(
        dir.path(),
        "wide.tf.json",
        format!(r#"{{"locals": {{"ranges": "${{ {{ {one_line} }} }}"}}}}"#),
    );
    write(
        dir.path(),
        "main.tf",
        "resource \"azurerm_linux_web_app\" \"app\" {\n  app_settings = { DB_PASSWORD = \"Zq7-x9Kp-2mWv\" }\n}\n",
    );
    let findings = check_json(dir.path());
    let wide = findings
        .iter()
        .filter(|f| f["path"].as_str().is_some_and(|p| p.ends_with("wide.tf")))
        .collect::<Vec<_>>();
    assert_eq!(wide.len(), 1, "{findings:?}");
    assert_eq!(wide[0]["rule"], "IDL001");
    assert_eq!(
        (wide[0]["line"].as_u64(), wide[0]["column"].as_u64()),
        (Some(2), Some(12))
    );
    assert!(
        wide[0]["message"]
            .as_str()
            .unwrap()
            .contains("more than 20000 items"),
        "{wide:?}"
    );
    assert!(
        codes_for(&findings, "wide.tf.json").is_empty(),
        "{findings:?}"
    );
    assert!(
        codes_for(&findings, "main.tf").contains(&"AZ101"),
        "{findings:?}"
    );
}

#[test]
fn keys_written_again_are_renamed_in_one_pass() {
    // The parser stops at the first key written twice, which is renamed before parsing again:
    // 256 keys written again at the end of an object of 5,000 items were 256 more parses (19 s
    // in a release build). The last value of a key still wins.
    // Half of the keys written again are quoted, with an escape (`"\u006b1"` is `"k1"`).
    let first: String = (1..4744)
        .map(|i| match i % 2 {
            0 => format!("    k{i} = {i}\n"),
            _ => format!("    \"k{i}\" = {i}\n"),
        })
        .collect();
    let again: String = (1..256)
        .map(|i| match i % 2 {
            0 => format!("    k{i} = 0\n"),
            _ => format!("    \"\\u006b{i}\" = 0\n"),
        })
        .collect();
    // And a line break after an operator first, which the parser stops at before them.
    assert_the_secret_of_local_m_k0_is_found(format!(
        "locals {{\n  m = {{\n    k0 = \"x\"\n    o = {{ for k, v in {{}} : k => v ||\n      false }}\n\
         {first}{again}    k0 = \"Zq7-x9Kp-2mWv\"\n  }}\n}}\n"
    ));
}

/// Checks `locals`, beside a web app whose setting `DB_PASSWORD` is `local.m.k0`, where the
/// last value of `k0` is a secret: the file is parsed, and the secret is found.
fn assert_the_secret_of_local_m_k0_is_found(locals: String) {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        format!(
            "{locals}resource \"azurerm_linux_web_app\" \"app\" {{\n  \
             app_settings = {{ DB_PASSWORD = local.m.k0 }}\n}}\n"
        ),
    );
    let findings = check_json(dir.path());
    assert!(
        codes_for(&findings, "main.tf").contains(&"AZ101"),
        "{findings:?}"
    );
}

#[test]
fn line_breaks_after_operators_in_a_wide_object_are_joined_in_one_pass() {
    // The parser rejects a line break after an operator in an object's item, which is joined
    // before parsing again: 250 of them in an object of 15,000 items were 250 more parses (95 s
    // in a release build), each in the square of the object's items. So were those in a
    // heredoc's directives (250 took 3 minutes).
    let items: String = (1..10_000)
        .map(|i| match i % 80 {
            0 => format!("    k{i} = var.a ||\n      var.b\n"),
            40 => format!("    k{i} = var.a # why\n      ? 1 : 2\n"),
            _ => format!("    k{i} = {i}\n"),
        })
        .collect();
    let directives = "%{ if var.a ||\n  var.b }x:\n-%{ endif }\n".repeat(120);
    assert_the_secret_of_local_m_k0_is_found(format!(
        "variable \"on\" {{\n  default = true\n}}\n\
         locals {{\n  m = {{\n{items}    k0 = var.on ?\n      \"Zq7-x9Kp-2mWv\" :\n      \"\"\n  }}\n\
         s = <<EOT\n{directives}EOT\n}}\n"
    ));
}

#[test]
fn a_wide_object_file_is_parsed_again_a_few_times_at_most() {
    // The lexer skips a heredoc inside a heredoc's interpolation, so the line breaks of its
    // directives are left to the parser to reject, one per parse. With 250 of them beside an
    // object of 15,000 items that took 100 s in a release build; a few are mended, then the
    // file gets an IDL001 that says why.
    let dir = tempfile::tempdir().unwrap();
    let items: String = (0..2_000).map(|i| format!("    k{i} = {i}\n")).collect();
    let directives = "%{ if var.a ||\n var.b }x%{ endif }\n".repeat(40);
    write(
        dir.path(),
        "main.tf",
        format!(
            "locals {{\n  wide = {{\n{items}  }}\n  \
             outer = <<OUTER\nstart ${{<<INNER\n{directives}INNER\n}} end\nOUTER\n}}\n"
        ),
    );
    let findings = check_json(dir.path());
    assert_eq!(codes_for(&findings, "main.tf"), ["IDL001"], "{findings:?}");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(message.contains("mends at most 8"), "{message}");
}

#[test]
fn the_wide_object_check_reads_in_linear_time() {
    // The check runs on texts of 20,000 line breaks and commas. Each `<<` might open a heredoc:
    // reading the rest of its line to find out read this line again from each one (2 MB: over
    // 60 s in a debug build).
    let dir = tempfile::tempdir().unwrap();
    let openers = "<<".repeat(1_000_000);
    let commas = ",".repeat(30_000);
    write(
        dir.path(),
        "main.tf",
        format!("locals {{\n  y = {openers}\n}}\n# {commas}\n"),
    );
    // Heredocs that open in the interpolations of a heredoc, none closed: looking for the end
    // of each over the lines after it took time in their square (100,000: 32 s, release).
    let nested = "${<<B\n".repeat(100_000);
    write(
        dir.path(),
        "nested.tf",
        format!("locals {{\n  x = <<A\n{nested}A\n}}\n"),
    );
    let findings = check_json(dir.path());
    assert_eq!(codes_for(&findings, "main.tf"), ["IDL001"], "{findings:?}");
    assert_eq!(
        codes_for(&findings, "nested.tf"),
        ["IDL001"],
        "{findings:?}"
    );
}

#[test]
fn a_file_over_the_size_limit_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: 51 MB long, no disk and no time spent writing it.
    let big = fs::File::create(dir.path().join("big.tf")).unwrap();
    big.set_len(51 * 1024 * 1024).unwrap();
    drop(big);
    let big = fs::File::create(dir.path().join("big.json")).unwrap();
    big.set_len(51 * 1024 * 1024).unwrap();
    drop(big);
    let findings = check_json(dir.path());
    for name in ["big.tf", "big.json"] {
        let idl: Vec<&Json> = findings
            .iter()
            .filter(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .collect();
        assert_eq!(idl.len(), 1, "{name}: {findings:?}");
        assert_eq!(idl[0]["rule"], "IDL001");
        assert!(
            idl[0]["message"].as_str().unwrap().contains("MB"),
            "{idl:?}"
        );
    }
}

#[test]
fn a_large_valid_template_scans() {
    // 50,000 resources, about 6 MB: scanned in well under the test's time bound.
    let dir = tempfile::tempdir().unwrap();
    let resource = r#"{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "[concat('id', copyIndex())]", "location": "[resourceGroup().location]"}"#;
    let resources = vec![resource; 50_000].join(",\n");
    write(
        dir.path(),
        "big.json",
        format!(r#"{{"$schema": "{RG_SCHEMA}", "resources": [{resources}]}}"#),
    );
    let findings = check_json(dir.path());
    assert!(!codes_for(&findings, "big.json").contains(&"IDL001"));
}

/// Runs `idlint check . --format json` in `dir` with its address space capped at 4 GiB (on
/// Linux), so that a regression fails this test instead of exhausting the machine.
fn check_json_capped(dir: &Path) -> Vec<Json> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idlint"));
    command
        .args(["check", ".", "--format", "json", "--no-config"])
        .current_dir(dir);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 4 << 30,
                    rlim_max: 4 << 30,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            });
        }
    }
    let output = run_within_limit(command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "status {:?}, stderr: {stderr}",
        output.status
    );
    let report: Json = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn values_that_double_through_names_stay_bounded() {
    // Each name uses the one before twice: the last would be 2^40 values or 2^41 bytes.
    let dir = tempfile::tempdir().unwrap();
    let chain = |first: &str, step: &dyn Fn(usize) -> String| -> Vec<String> {
        let mut names = vec![first.to_string()];
        names.extend((1..=40).map(step));
        names
    };
    let variables = chain(r#""v0": "[createArray(1)]""#, &|i| {
        format!(
            r#""v{i}": "[concat(variables('v{}'), variables('v{}'))]""#,
            i - 1,
            i - 1
        )
    });
    let strings = chain(r#""s0": "ab""#, &|i| {
        format!(
            r#""s{i}": "[concat(variables('s{}'), variables('s{}'))]""#,
            i - 1,
            i - 1
        )
    });
    let variables = [variables, strings].concat().join(", ");
    write(
        dir.path(),
        "variables.json",
        format!(
            r#"{{"$schema": "{RG_SCHEMA}", "variables": {{{variables}}}, "resources": [{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "app", "properties": {{"a": "[variables('v40')]", "b": "[variables('s40')]"}}}}]}}"#
        ),
    );
    write(
        dir.path(),
        "lambda.json",
        template_with(
            r#""[reduce(range(0, 40), createArray(1), lambda('a', 'n', concat(lambdaVariables('a'), lambdaVariables('a'))))]""#,
        ),
    );
    fs::create_dir(dir.path().join("tf")).unwrap();
    let locals = chain("  a0 = [\"x\"]", &|i| {
        format!("  a{i} = concat(local.a{}, local.a{})", i - 1, i - 1)
    });
    write(
        &dir.path().join("tf"),
        "main.tf",
        format!(
            "locals {{\n{}\n}}\n\nresource \"azurerm_linux_web_app\" \"app\" {{\n  name = \"app\"\n  app_settings = {{ N = length(local.a40) }}\n}}\n",
            locals.join("\n")
        ),
    );
    let findings = check_json_capped(dir.path());
    for file in ["variables.json", "lambda.json", "main.tf"] {
        assert!(!codes_for(&findings, file).contains(&"IDL001"), "{file}");
    }
}

/// Modules `m0` to `m{modules - 1}` under `dir`, each with a storage account and each calling
/// the next with `count`.
fn write_module_chain(dir: &Path, modules: usize, count: usize) {
    for i in 0..modules {
        let call = if i + 1 < modules {
            format!(
                "module \"next\" {{\n  source = \"../m{}\"\n  count  = {count}\n}}\n",
                i + 1
            )
        } else {
            String::new()
        };
        write_module(
            dir,
            &format!("m{i}"),
            format!(
                "{call}resource \"azurerm_storage_account\" \"s\" {{\n  name = \"st{i}\"\n}}\n"
            ),
        );
    }
}

#[test]
fn a_deep_chain_of_modules_without_instances_is_checked_whole() {
    // Each module calls the next with `count = 0`, so none is instantiated and each becomes a
    // root in turn, after its caller: 2,000 rounds, each settling one directory.
    const MODULES: usize = 2_000;
    let dir = tempfile::tempdir().unwrap();
    write_module_chain(dir.path(), MODULES, 0);
    let findings = check_json(dir.path());
    for i in [0, 1, MODULES / 2, MODULES - 1] {
        assert_eq!(
            codes_for(&findings, &format!("m{i}/main.tf")),
            ["AZ106"],
            "m{i}"
        );
    }
    assert_eq!(findings.len(), MODULES);
}

#[test]
fn loops_that_multiply_through_levels_stay_bounded() {
    // Each Terraform module calls the next in a loop of 10, and each ARM deployment holds the
    // next in a copy loop of 10: the last of 10 levels would have 10^9 instances, though every
    // loop and the depth are within their limits. The same for ARM's copy loops of properties
    // and variables.
    const LEVELS: usize = 10;
    let dir = tempfile::tempdir().unwrap();
    write_module_chain(dir.path(), LEVELS, 10);
    let mut template =
        String::from(r#"{"type": "Microsoft.Storage/storageAccounts", "name": "last"}"#);
    for i in (0..LEVELS - 1).rev() {
        template = format!(
            r#"{{"type": "Microsoft.Resources/deployments", "name": "[concat('d{i}', copyIndex())]",
                 "copy": {{"name": "c", "count": 10}},
                 "properties": {{"template": {{"$schema": "{RG_SCHEMA}", "resources": [
                   {template},
                   {{"type": "Microsoft.Storage/storageAccounts", "name": "st{i}"}}]}}}}}}"#
        );
    }
    write(
        dir.path(),
        "nested.json",
        format!(r#"{{"$schema": "{RG_SCHEMA}", "resources": [{template}]}}"#),
    );
    // Property and variable copy loops within copy loops: 800^3 elements each.
    let loops = |innermost: &str| {
        let mut input = innermost.to_string();
        for name in ["c", "b", "a"] {
            input =
                format!(r#"{{"copy": [{{"name": "{name}", "count": 800, "input": {input}}}]}}"#);
        }
        input
    };
    write(
        dir.path(),
        "copies.json",
        format!(
            r#"{{"$schema": "{RG_SCHEMA}", "variables": {{"v": {}}}, "resources": [
                 {{"type": "Microsoft.Web/sites", "name": "app",
                   "properties": {{"p": {}, "v": "[variables('v')]"}}}}]}}"#,
            loops(r#""[copyIndex('c')]""#),
            loops(r#""[copyIndex('c')]""#)
        ),
    );
    let findings = check_json_capped(dir.path());
    assert_eq!(codes_for(&findings, "copies.json"), ["AZ201"]);
    // Every level is checked, past the instances made too, each reported once.
    for i in 0..LEVELS {
        assert_eq!(
            codes_for(&findings, &format!("m{i}/main.tf")),
            ["AZ106"],
            "m{i}"
        );
    }
    assert_eq!(codes_for(&findings, "nested.json"), ["AZ106"; LEVELS]);
}

#[test]
fn functions_that_grow_what_they_are_given_stay_bounded() {
    // Calls nested in one expression, each doubling what it is given, would make 2^60 bytes:
    // no name is used, so the budget on copies of named values did not stop them (each of
    // these aborted for want of memory). One `replace` of 100 kB by 100 kB would make 10 GB.
    // Maps of 50,000 keys merged took 30-50 s where each key searched the kept ones, and so
    // did resources of many attributes.
    let dir = tempfile::tempdir().unwrap();
    let nest = |innermost: &str, call: &dyn Fn(&str) -> String| {
        (0..60).fold(innermost.to_string(), |inner, _| call(&inner))
    };
    let big = "a".repeat(100_000);
    let arm_cases = [
        (
            "format",
            nest("'ab'", &|e| format!("format('{{0}}{{0}}', {e})")),
        ),
        (
            "string",
            nest(r#"'\"\"'"#, &|e| format!("string(createArray({e}))")),
        ),
        ("base64", nest("'%%'", &|e| format!("base64(base64({e}))"))),
        ("replace", format!("replace('{big}', 'a', '{big}')")),
        (
            "union",
            "union(variables('keys'), variables('keys'), variables('keys'))".to_string(),
        ),
        (
            "union_lists",
            "union(range(0, 9000), range(1, 9000))".to_string(),
        ),
    ];
    let keys: serde_json::Map<String, Json> = (0..50_000)
        .map(|i| (format!("k{i}"), Json::from(i)))
        .collect();
    for (name, expression) in arm_cases {
        let template = serde_json::json!({
            "$schema": RG_SCHEMA,
            "variables": {"keys": keys, "grown": format!("[{expression}]")},
            "resources": [{"type": "Microsoft.Storage/storageAccounts", "name": "st"}],
            "outputs": {"grown": {"type": "string", "value": "[variables('grown')]"}}
        });
        write(dir.path(), &format!("{name}.json"), template.to_string());
    }
    let list: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\"")).collect();
    let tf_cases = [
        (
            "replace_nested",
            nest("\"aa\"", &|e| format!("replace({e}, \"a\", \"aa\")")),
        ),
        ("replace", format!("replace(\"{big}\", \"a\", \"{big}\")")),
        (
            "merge",
            "merge(local.keys, local.keys, { for k, v in local.keys : v => k... })".to_string(),
        ),
    ];
    for (name, expression) in tf_cases {
        let locals = format!(
            "locals {{\n  list = [{}]\n  keys = {{ for k in local.list : k => k }}\n}}\n",
            list.join(", ")
        );
        write_module(
            dir.path(),
            name,
            format!(
                "{locals}output \"grown\" {{\n  value = {expression}\n}}\n\
                 resource \"azurerm_storage_account\" \"s\" {{\n  name = \"st\"\n}}\n"
            ),
        );
    }
    // A resource of 200,000 attributes, half of them in a block, each looked up among the
    // others, took 66 s.
    let attributes: String = (0..100_000).map(|i| format!("  p{i} = \"x\"\n")).collect();
    write_module(
        dir.path(),
        "wide",
        format!(
            "resource \"azurerm_storage_account\" \"s\" {{\n{attributes}  \
             network_rules {{\n{attributes}  }}\n}}\n"
        ),
    );
    let findings = check_json_capped(dir.path());
    // Every file is checked to its end.
    for name in [
        "format",
        "string",
        "base64",
        "replace",
        "union",
        "union_lists",
    ] {
        assert_eq!(
            codes_for(&findings, &format!("{name}.json")),
            ["AZ106"],
            "{name}"
        );
    }
    for name in ["replace_nested", "replace", "merge", "wide"] {
        let path = format!("{name}/main.tf");
        assert_eq!(codes_for(&findings, &path), ["AZ106"], "{name}");
    }
}

#[test]
fn loops_over_large_bodies_stay_bounded() {
    // Loops within their limits over large bodies: 10,000 Terraform instances of 1 MB ran for
    // minutes, 800 ARM resources or property copies of 1 MB took 1.7 GB, and a `for` or a
    // `dynamic` block over 10,000 items with a body of 100 kB took 17-35 s and 2-9 GB.
    let dir = tempfile::tempdir().unwrap();
    let settings: serde_json::Map<String, Json> = (0..10_000)
        .map(|i| (format!("p{i}"), Json::from("x".repeat(100))))
        .collect();
    let site = |copy: Json, properties: Json| {
        serde_json::json!({
            "$schema": RG_SCHEMA,
            "resources": [{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01",
                           "name": "app", "copy": copy, "properties": properties}]
        })
        .to_string()
    };
    let resources = site(
        serde_json::json!({"name": "c", "count": 800}),
        settings.clone().into(),
    );
    write(dir.path(), "resources.json", resources);
    let copies = serde_json::json!({"copy": [{"name": "c", "count": 800, "input": settings}]});
    write(dir.path(), "properties.json", site(Json::Null, copies));
    let attributes: String = (0..10_000)
        .map(|i| format!("    p{i} = \"{}\"\n", "x".repeat(100)))
        .collect();
    write_module(
        dir.path(),
        "count",
        format!(
            "resource \"azurerm_linux_web_app\" \"a\" {{\n  count = 10000\n  \
             site_config {{\n{attributes}  }}\n}}\n"
        ),
    );
    // A `for` expression and a `dynamic` block over 10,000 items, with bodies of 100 kB.
    let body: String = (0..1_000)
        .map(|i| format!("      p{i} = \"{}\"\n", "x".repeat(100)))
        .collect();
    let items = (0..10_000)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let app = |inside: &str| format!("resource \"azurerm_linux_web_app\" \"a\" {{\n{inside}}}\n");
    let for_expr = format!("locals {{\n  x = [for i in [{items}] : {{\n{body}  }}]\n}}\n");
    let dynamic = format!(
        "  dynamic \"site_config\" {{\n    for_each = [{items}]\n    content {{\n{body}    }}\n  }}\n"
    );
    write_module(dir.path(), "for", for_expr + &app(""));
    write_module(dir.path(), "dynamic", app(&dynamic));
    let findings = check_json_capped(dir.path());
    for path in [
        "resources.json",
        "properties.json",
        "count/main.tf",
        "for/main.tf",
        "dynamic/main.tf",
    ] {
        assert_eq!(codes_for(&findings, path), ["AZ201"], "{path}");
    }
}

#[test]
fn linked_templates_that_fan_out_and_loop_stay_bounded() {
    // Each template links the next one twice, and the last links the first: followed without a
    // limit, 2^30 deployments, and a cycle.
    const TEMPLATES: usize = 30;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..TEMPLATES {
        let next = (i + 1) % TEMPLATES;
        let link = |name: &str| {
            format!(
                r#"{{"type": "Microsoft.Resources/deployments", "name": "{name}",
                     "properties": {{"templateLink": {{"relativePath": "t{next}.json"}}}}}}"#
            )
        };
        write(
            dir.path(),
            &format!("t{i}.json"),
            format!(
                r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "resources": [{}, {},
                      {{"type": "Microsoft.Storage/storageAccounts", "name": "st{i}"}}]}}"#,
                link("a"),
                link("b")
            ),
        );
    }
    let findings = check_json(dir.path());
    // Every template links the others, so each is checked, and each account is reported once.
    assert_eq!(findings.len(), TEMPLATES, "{findings:?}");
    for i in [0, TEMPLATES - 1] {
        assert_eq!(codes_for(&findings, &format!("t{i}.json")), ["AZ106"]);
    }
    // Named alone, a template brings those that link it, and those that link them, round the
    // loop. Every account is deployed through its deployments, so every finding has a label in
    // it: the directory scan's findings, at the same places.
    let output = idlint(
        &["check", "t5.json", "--format", "json", "--no-config"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    let report: Json = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let place = |f: &Json| (f["path"].to_string(), f["line"].clone(), f["rule"].clone());
    let named: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(place)
        .collect();
    assert_eq!(named, findings.iter().map(place).collect::<Vec<_>>());
}

#[test]
fn long_links_stay_linear() {
    // A link of 150,000 `.json` mentions in one run of path characters, and a URL of 100,000
    // segments that each name the template's folder: each mention and each segment once took
    // time in the length of the whole (minutes, named alone or in a directory scan).
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("a")).unwrap();
    let deployment = |uri: &str| {
        format!(
            r#"{{"$schema": "{RG_SCHEMA}", "resources": [
                 {{"type": "Microsoft.Resources/deployments", "name": "d",
                   "properties": {{"templateLink": {{"uri": "https://example.com/{uri}"}}}}}}]}}"#
        )
    };
    write(
        dir.path(),
        "mentions.json",
        deployment(&"x.json/".repeat(150_000)),
    );
    let segments = format!("{}x.json", "a/".repeat(100_000));
    write(dir.path(), "a/segments.json", deployment(&segments));
    assert!(check_json(dir.path()).is_empty());
    for named in ["mentions.json", "a/segments.json"] {
        let output = idlint(&["check", named, "--no-config"], dir.path());
        assert_eq!(output.status.code(), Some(0), "{named}");
    }
}

#[test]
fn a_long_secret_that_repeats_itself_is_found_and_masked_in_linear_time() {
    // A password of 500 kB that repeats five characters, shown again in a name built from it.
    // Masking it elsewhere took time in the square of its length (52 s at 100 kB, in a release
    // build), and it holds the letters of the placeholder word `fake` 100,000 times (each once
    // took the length of the value).
    let dir = tempfile::tempdir().unwrap();
    let secret = "xFAKE".repeat(100_000);
    write(
        dir.path(),
        "variables.tf",
        format!("variable \"admin_password\" {{\n  default = \"{secret}\"\n}}\n"),
    );
    write(
        dir.path(),
        "main.tf",
        "resource \"azurerm_linux_web_app\" \"app\" {\n  name = \"app-${var.admin_password}\"\n}\n",
    );
    let output = idlint(&["check", ".", "--no-config"], dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("has a literal secret default (`xFAK…`)"),
        "{stdout}"
    );
    assert!(stdout.contains("web app `app-xFAK…`"), "{stdout}");
    assert!(!stdout.contains("xFAKExFAKE"), "{stdout}");
}

#[test]
fn thousands_of_secrets_in_one_heredoc_are_reported_in_linear_time() {
    // 20,000 passwords in one heredoc of JSON, a finding each. Each finding redacted the whole
    // heredoc, and the masking read its text once per finding: 55 s and 17 GB in a release
    // build. Now each finding redacts its literal; where an escape keeps idlint from telling
    // where the literals are, the one heredoc span is read once.
    let entries: Vec<String> = (0..20_000)
        .map(|i| format!("  \"svc{i}_password\": \"Hq4zW9-Lp2x-{i:06}!\""))
        .collect();
    for escape in ["", "\\u0021"] {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "main.tf",
            format!(
                "resource \"azurerm_virtual_machine_extension\" \"x\" {{\n  name = \"x\"\n  \
                 protected_settings = <<EOT\n{{\n{},\n  \"note\": \"{escape}\"\n}}\nEOT\n}}\n",
                entries.join(",\n")
            ),
        );
        let output = idlint(
            &["check", ".", "--no-config", "--format", "compact"],
            dir.path(),
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{escape}");
        assert!(!stdout.contains("Hq4zW9-"), "{escape}");
        let lines: Vec<&str> = stdout.lines().collect();
        if escape.is_empty() {
            assert_eq!(lines.len(), 20_000);
            assert!(
                lines[19_999].starts_with("main.tf:20004:24:"),
                "{}",
                lines[19_999]
            );
        } else {
            assert_eq!(lines.len(), 1);
            assert!(lines[0].starts_with("main.tf:3:"), "{}", lines[0]);
            assert!(
                lines[0].contains("(and 19999 more instances)"),
                "{}",
                lines[0]
            );
        }
    }
}

#[test]
fn a_long_secret_that_holds_another_throughout_is_masked_in_linear_time() {
    // Every place of the long secret after its eighth ends the short one. The search that
    // reports every match (to mask a secret that starts inside another) is built in time in the
    // square of such secrets' bytes: 33 s at 300 kB in a release build.
    let dir = tempfile::tempdir().unwrap();
    let run = "a".repeat(300_000);
    write(
        dir.path(),
        "main.tf",
        format!(
            "variable \"admin_password\" {{\n  default = \"aaaaaaaa\"\n}}\n\
             variable \"db_password\" {{\n  default = \"{run}Z\"\n}}\n"
        ),
    );
    let output = idlint(&["check", ".", "--no-config"], dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.matches("literal secret default (`aaaa…`)").count(),
        2,
        "{stdout}"
    );
    assert!(!stdout.contains("aaaaaaaa"), "{stdout}");
}

#[test]
fn a_short_secret_in_a_long_run_of_its_letters_is_searched_in_linear_time() {
    // `qqqqqqq` is masked only where it stands alone. In a comment of 100,000 `q`s, each place
    // where it is inside a word made the search for the long secret read on to the end of the
    // run (3.7 s at 50,000, in a release build).
    let dir = tempfile::tempdir().unwrap();
    let run = "q".repeat(100_000);
    write(
        dir.path(),
        "main.tf",
        format!(
            "variable \"admin_password\" {{\n  default = \"qqqqqqq\"\n}}\n\
             variable \"db_password\" {{\n  default = \"{run}Z\"\n}}\n# {run}\n"
        ),
    );
    let output = idlint(&["check", ".", "--no-config"], dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout
            .matches("has a literal secret default (`qqqq…`)")
            .count(),
        2
    );
}

#[test]
fn a_minified_template_is_reported_in_pieces_of_its_line() {
    // One line of 3,000 storage accounts: the human report printed the whole line for each
    // finding (seconds), and miette panicked on a column past 65,535. The tags are not ASCII:
    // columns count characters, not bytes.
    let dir = tempfile::tempdir().unwrap();
    let accounts: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"type":"Microsoft.Storage/storageAccounts","apiVersion":"2023-01-01","name":"st{i}","tags":{{"owner":"Zoë ☕"}}}}"#
            )
        })
        .collect();
    let template = format!(
        r#"{{"$schema":"{RG_SCHEMA}","resources":[{}]}}"#,
        accounts.join(",")
    );
    write(dir.path(), "min.json", &template);
    let human = idlint(
        &["check", ".", "--no-config", "--format", "human"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&human.stderr);
    assert_eq!(human.status.code(), Some(1), "{stderr}");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.lines().all(|line| line.chars().count() < 600),
        "a long line"
    );
    // Each finding is placed where the compact report places it, past column 65,535 too.
    let compact = idlint(
        &["check", ".", "--no-config", "--format", "compact"],
        dir.path(),
    );
    let places: Vec<String> = String::from_utf8_lossy(&compact.stdout)
        .lines()
        .map(|line| line.split(": ").next().unwrap().to_string())
        .collect();
    assert_eq!(places.len(), 3000);
    assert!(places.last().unwrap().starts_with("min.json:1:"));
    let headers: Vec<String> = text
        .lines()
        .filter_map(|line| {
            line.split_once("╭─[")?
                .1
                .strip_suffix(']')
                .map(str::to_string)
        })
        .collect();
    assert_eq!(headers, places);
    assert!(text.contains("…"), "pieces are marked");
}

#[test]
fn invalid_utf8_and_nul_bytes_are_invalid_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "latin1.tf", b"locals {\n  x = \"caf\xe9\"\n}\n");
    write(d, "nul.tf", b"locals {\n  x = \"a\0b\"\n}\n");
    let mut template = template_with("\"caf\"").into_bytes();
    template.extend_from_slice(b"\xff\xfe");
    write(d, "latin1.json", template);
    write(d, "nul.json", template_with("\"a\0b\""));
    let findings = check_json(d);
    for name in ["latin1.tf", "nul.tf", "latin1.json", "nul.json"] {
        let found: Vec<&Json> = findings
            .iter()
            .filter(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .collect();
        assert_eq!(found.len(), 1, "{name}: {findings:?}");
        assert_eq!(found[0]["rule"], "IDL001", "{name}");
    }
    let message = |name: &str| {
        findings
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .and_then(|f| f["message"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(message("latin1.tf").contains("UTF-8"));
    assert!(message("nul.tf").contains("NUL"));
}

/// `text` as UTF-16, in little-endian order unless `big`, with a byte order mark when `bom`.
fn utf16(text: &str, big: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xfeff).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|unit| {
            if big {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn templates_and_parameter_files_saved_as_utf16_are_checked_as_their_text() {
    // Windows PowerShell's `Out-File` writes UTF-16, and the Azure CLI and PowerShell deploy
    // such files. On the first line, after the byte order mark and characters outside ASCII,
    // one outside the BMP: the findings' columns count characters, as editors do.
    let template = format!(
        "{{\"$schema\": \"{RG_SCHEMA}\", \"parameters\": {{\"dbPassword\": {{\"type\": \"string\"}}}}, \"resources\": [{{\"type\": \"Microsoft.Web/sites\", \"apiVersion\": \"2022-03-01\", \"name\": \"café-𝄞\", \"properties\": {{\"siteConfig\": {{\"appSettings\": [{{\"name\": \"DB_PASSWORD\", \"value\": \"[parameters('dbPassword')]\"}}]}}}}}}]}}\n"
    );
    let parameters = r#"{"parameters": {"dbPassword": {"value": "Zq8-utf16-Secret"}}}"#;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shapes = [
        (
            "utf8",
            template.clone().into_bytes(),
            parameters.as_bytes().to_vec(),
        ),
        (
            "utf8-mark",
            format!("\u{feff}{template}").into_bytes(),
            parameters.as_bytes().to_vec(),
        ),
        (
            "le",
            utf16(&template, false, true),
            utf16(parameters, false, true),
        ),
        (
            "be",
            utf16(&template, true, true),
            utf16(parameters, true, true),
        ),
        (
            "le-no-mark",
            utf16(&template, false, false),
            utf16(parameters, false, false),
        ),
        (
            "be-no-mark",
            utf16(&template, true, false),
            utf16(parameters, true, false),
        ),
    ];
    for (name, template, parameters) in &shapes {
        fs::create_dir(d.join(name)).unwrap();
        write(&d.join(name), "azuredeploy.json", template);
        write(&d.join(name), "azuredeploy.parameters.json", parameters);
    }
    let output = idlint(&["check", ".", "--format", "json", "--no-config"], d);
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(!report.contains("utf16-Secret"), "{report}");
    let findings: Vec<Json> = serde_json::from_str::<Json>(&report).unwrap()["findings"]
        .as_array()
        .cloned()
        .unwrap();
    // Each shape's findings, without the path: the UTF-8 file's, found at the same places.
    let of = |shape: &str| -> Vec<Json> {
        let prefix = format!("{shape}/");
        findings
            .iter()
            .filter(|f| f["path"].as_str().is_some_and(|p| p.starts_with(&prefix)))
            .map(|f| {
                let mut f = f.clone();
                f["path"] = Json::Null;
                f["labels"] = Json::Null;
                f
            })
            .collect()
    };
    let in_utf8 = of("utf8");
    let rules: Vec<&str> = in_utf8.iter().filter_map(|f| f["rule"].as_str()).collect();
    assert_eq!(rules, ["AZ103", "AZ201", "AZ101"], "{in_utf8:#?}");
    for (shape, _, _) in &shapes[1..] {
        assert_eq!(of(shape), in_utf8, "{shape}");
    }

    // Terraform reads UTF-8 only; so is a UTF-16 file with a lone surrogate or an odd byte
    // not text.
    write(d, "main.tf", utf16("locals {\n  a = 1\n}\n", false, true));
    let mut odd = utf16("{}", false, true);
    odd.push(b' ');
    write(d, "odd.json", odd);
    write(d, "lone.json", [0xff, 0xfe, b'{', 0, 0x00, 0xd8, b'}', 0]);
    let findings = check_json(d);
    let message = |name: &str| {
        let found: Vec<&Json> = findings.iter().filter(|f| f["path"] == name).collect();
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0]["rule"], "IDL001", "{name}");
        found[0]["message"].as_str().unwrap().to_string()
    };
    assert_eq!(
        message("main.tf"),
        "the file is UTF-16 text: Terraform reads UTF-8 only"
    );
    assert_eq!(
        message("odd.json"),
        "the file is not UTF-16 text (invalid byte at offset 6)"
    );
    assert_eq!(
        message("lone.json"),
        "the file is not UTF-16 text (invalid byte at offset 4)"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_end() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "main.tf", "locals {\n  a = 1\n}\n");
    symlink("b.tf", d.join("a.tf")).unwrap();
    symlink("a.tf", d.join("b.tf")).unwrap();
    fs::create_dir(d.join("sub")).unwrap();
    symlink("..", d.join("sub/up")).unwrap();
    symlink(".", d.join("self")).unwrap();
    write(
        d,
        "calls.tf",
        "module \"up\" {\n  source = \"./sub/up\"\n}\nmodule \"me\" {\n  source = \"./self\"\n}\n",
    );
    let findings = check_json(d);
    // The broken links are either skipped or reported; the scan ends either way.
    for f in &findings {
        assert!(
            f["rule"] != "IDL001" || f["path"].as_str().is_some_and(|p| p.ends_with(".tf")),
            "{f}"
        );
    }
    let output = idlint(&["check", "a.tf", "--format", "json", "--no-config"], d);
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{:?}",
        output.status
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_invalid_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "secret.tf", "locals {\n  a = 1\n}\n");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    // As root, mode 000 does not stop reading: then the file simply scans.
    let readable = fs::read(&path).is_ok();
    let findings = check_json(dir.path());
    let codes = codes_for(&findings, "secret.tf");
    if readable {
        assert!(codes.is_empty(), "{findings:?}");
    } else {
        assert_eq!(codes, ["IDL001"], "{findings:?}");
        let message = findings[0]["message"].as_str().unwrap();
        assert!(message.contains("cannot read"), "{message}");
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn empty_files_are_valid() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "empty.tf",
        "empty.json",
        "empty.tf.json",
        "terraform.tfvars",
    ] {
        write(dir.path(), name, "");
    }
    write(dir.path(), "blank.tf", "\n\n  # only a comment\n");
    let findings = check_json(dir.path());
    assert!(findings.is_empty(), "{findings:?}");
    // Named on the command line (the pre-commit path) too.
    let output = idlint(
        &["check", "empty.tf", "empty.json", "--format", "json"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_fifo_named_without_a_writer_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe.tf"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // No writer ever comes: the FIFO reads as empty, as the config named the same way does.
    for args in [
        vec!["check", "pipe.tf", "--no-config", "--format", "json"],
        vec![
            "check", "pipe.tf", "--config", "pipe.tf", "--format", "json",
        ],
    ] {
        let output = idlint(&args, dir.path());
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
    }
    // A pipe with a writer is read to its end: a template piped in by the shell is checked.
    let template = template_with(r#"{"adminPassword": "Sup3r-Secret-Example-2024!"}"#);
    write(dir.path(), "template.json", template);
    let mut piped = Command::new("bash");
    piped
        .arg("-c")
        .arg(r#""$0" check --no-config --format json <(cat template.json)"#)
        .arg(env!("CARGO_BIN_EXE_idlint"))
        .current_dir(dir.path());
    let output = run_within_limit(piped);
    let report: Json = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    assert!(codes_for(&findings, "").contains(&"AZ105"), "{output:?}");
}

/// Every input a fuzz target once crashed on, kept under `testdata/robustness/<target>/`, through
/// the same checks as the fuzz target.
#[test]
fn fuzz_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/robustness");
    let mut count = 0;
    for target in ["hcl", "arm", "arm_expr"] {
        let Ok(entries) = fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let bytes = fs::read(&path).unwrap();
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            count += 1;
            let result = match target {
                "hcl" => idlint::check::fuzz_terraform(text),
                "arm" => {
                    idlint::arm::parse::check_direct_path(text);
                    idlint::check::fuzz_arm(text)
                }
                _ => idlint::check::fuzz_arm_expression(text),
            };
            // Every finding points inside the file it names.
            for finding in &result.findings {
                let span = finding.span();
                let file = result.sources.get(span.file);
                assert!(
                    span.start <= span.end && span.end as usize <= file.text.len(),
                    "{}: {finding:?}",
                    path.display()
                );
            }
        }
    }
    assert!(count > 0, "no regression inputs under {}", root.display());
}

/// The same bytes whatever the thread count, on a tree of several Terraform roots and ARM
/// templates.
#[test]
fn output_does_not_depend_on_the_thread_count() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    for format in ["json", "human", "sarif"] {
        let run = |threads: Option<&str>| {
            let mut args = vec!["check", ".", "--format", format, "--no-config"];
            if let Some(n) = threads {
                args.extend(["--threads", n]);
            }
            let output = idlint(&args, &testdata);
            assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
            output.stdout
        };
        let default = run(None);
        assert!(
            default.len() > 1000,
            "{format}: too little output to compare"
        );
        assert!(run(Some("1")) == default, "{format}: --threads 1 differs");
        assert!(run(Some("3")) == default, "{format}: --threads 3 differs");
        assert!(run(None) == default, "{format}: a second run differs");
    }
}

#[test]
fn an_invalid_config_with_a_long_line_is_reported_in_a_piece() {
    // miette panicked on the error's column past 65,535, and showed the line whole.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".idlint.hcl",
        format!("x = \"{}\" ]\n", "a".repeat(70_000)),
    );
    write(dir.path(), "main.tf", "");
    let output = idlint(&["check", "."], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid config"), "{stderr}");
    assert!(stderr.contains("[.idlint.hcl:1:70008]"), "{stderr}");
    assert!(stderr.lines().all(|line| line.chars().count() < 600));
}

#[cfg(unix)]
#[test]
fn a_config_or_baseline_that_never_ends_is_refused() {
    // Read whole, `/dev/zero` never ended; the scanned files were bounded, these were not.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", "");
    for args in [
        ["check", ".", "--config", "/dev/zero"],
        ["check", ".", "--baseline", "/dev/zero"],
    ] {
        let output = idlint(&args, dir.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("/dev/zero"), "{stderr}");
        assert!(stderr.contains("goes on past"), "{stderr}");
    }
}

#[test]
fn thousands_of_large_regular_expressions_cost_a_bounded_compile_each() {
    // Each pattern's program would take hundreds of kilobytes: with a first limit of 1 MB a
    // program, 2,000 distinct ones took 0.53 s and 117 MB. Past 64 kB a pattern is now left
    // unknown, within the time limit of every test here. A pattern of the usual size still
    // computes: the password it extracts is found.
    let dir = tempfile::tempdir().unwrap();
    let locals: String = (0..4_000)
        .map(|i| {
            format!("  r{i} = try(regex(\"((a|b|c){{50}}){{20}}x{i}\", \"aaaa\"), \"none\")\n")
        })
        .collect();
    let uses: Vec<String> = (0..4_000).map(|i| format!("local.r{i}")).collect();
    write(
        dir.path(),
        "main.tf",
        format!(
            "locals {{\n{locals}  password = regex(\"pw=([^;]+)\", \"host=db;pw=Hq4zW9-Lp2x-0042!;\")[0]\n}}\n\n\
             output \"patterns\" {{\n  value = [{}]\n}}\n\n\
             resource \"azurerm_linux_virtual_machine\" \"vm\" {{\n  name           = \"vm\"\n  \
             admin_username = \"azureuser\"\n  admin_password = local.password\n}}\n",
            uses.join(", ")
        ),
    );
    let output = idlint(
        &["check", ".", "--no-config", "--format", "compact"],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("`admin_password` of `azurerm_linux_virtual_machine.vm` is a literal credential (`Hq4z…`) [AZ105]"),
        "{stdout}"
    );
    assert!(!stdout.contains("Hq4zW9-"), "{stdout}");
}
