//! A panic is a bug in idlint. One that happens while a file is parsed, evaluated or checked is
//! caught there and becomes an `IDL004 internal-error` finding on that file, and the scan goes on
//! with the other files, as it does past an invalid one.
//!
//! A panic's message can quote the scanned text, secrets included, so no output carries it: the
//! finding says where in idlint the panic happened, which [`install_hook`] records.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::diagnostic::{Diagnostic, Label};
use crate::source::SourceDb;
use crate::span::{FileId, Span};

thread_local! {
    /// How many isolated calls this thread is inside.
    static ISOLATED: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic caught on this thread happened.
    static PANICKED_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `work` for `file`; a panic in it becomes the `IDL004` diagnostic returned instead.
/// `what` says what was being done, as in "while parsing this file".
///
/// Whatever `work` was building is dropped with the panic. It shares only immutable inputs and
/// poison-tolerant locks with the work on other files, so those go on unaffected.
pub fn isolated<R>(
    db: &SourceDb,
    file: FileId,
    what: &str,
    work: impl FnOnce() -> R,
) -> Result<R, Box<Diagnostic>> {
    ISOLATED.with(|depth| depth.set(depth.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    ISOLATED.with(|depth| depth.set(depth.get() - 1));
    result.map_err(|_| {
        let at = PANICKED_AT.with(|at| at.borrow_mut().take());
        Box::new(internal_error(db, file, what, at.as_deref()))
    })
}

fn internal_error(db: &SourceDb, file: FileId, what: &str, at: Option<&str>) -> Diagnostic {
    let source = db.get(file);
    let first = source.text.chars().next().map_or(0, char::len_utf8);
    let at = at.map(|at| format!(" (at {at})")).unwrap_or_default();
    Diagnostic::new(
        format!("idlint failed {what}: an internal error{at}, so the file is left out"),
        Label::new(Span::new(file, 0..first), "this file"),
        source.display.clone(),
    )
    .with_help(
        "this is a bug in idlint, not a problem of the file: please report it, with the file \
         if you can share it; the other files were checked",
    )
}

/// Installs, once, the panic hook of the command line. Inside [`isolated`] it records where the
/// panic happened and prints nothing: the finding reports it. Elsewhere it prints that location
/// and no message. `RUST_BACKTRACE` set restores Rust's own report, message included, for
/// whoever debugs idlint on their own files.
pub fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let rust_report = panic::take_hook();
        let debugging = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
        panic::set_hook(Box::new(move |info| {
            let at = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            let isolated = ISOLATED.with(Cell::get) > 0;
            if isolated {
                PANICKED_AT.with(|recorded| recorded.borrow_mut().clone_from(&at));
            }
            // Unit tests keep Rust's report for their own failures.
            if debugging || cfg!(test) {
                rust_report(info);
            } else if !isolated {
                let at = at.map(|at| format!(" at {at}")).unwrap_or_default();
                eprintln!(
                    "idlint: internal error{at}: this is a bug in idlint, please report it \
                     (RUST_BACKTRACE=1 prints the details, which may quote the scanned files)"
                );
            }
        }));
    });
}

/// In unit tests, panics when `text` holds `marker`: the fault the tests of [`isolated`] inject
/// into each place a file's work is isolated. Compiled to nothing otherwise.
#[inline(always)]
pub fn inject_fault(text: &str, marker: &str) {
    #[cfg(test)]
    assert!(!text.contains(marker), "injected fault: {marker}");
    #[cfg(not(test))]
    let _ = (text, marker);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::check::{CheckOptions, check};

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {"adminPassword": {"type": "string"}},
  "resources": [],
  "metadata": {"note": "MARKER"}
}"#;

    const MODULE: &str = "# MARKER\nvariable \"admin_password\" {}\n";

    /// A fault injected where each file's work is isolated (Terraform parsing, a Terraform
    /// module's evaluation and rules, an ARM template's evaluation and rules, a `--parameters`
    /// file) is reported on that file, and every other file is checked as usual.
    #[test]
    fn a_panic_is_reported_on_its_file_and_the_scan_goes_on() {
        super::install_hook();
        let dir = tempfile::tempdir().unwrap();
        for name in ["ok", "parse", "module"] {
            let marker = format!("idlint-test-fault-{name}");
            write(
                dir.path(),
                &format!("{name}/main.tf"),
                &MODULE.replace("MARKER", &marker),
            );
        }
        // The module's fault is in a file of its own: its other file still parses.
        write(
            dir.path(),
            "module/other.tf",
            "variable \"client_secret\" {}\n",
        );
        for name in ["ok", "arm"] {
            let marker = format!("idlint-test-fault-{name}");
            write(
                dir.path(),
                &format!("{name}.json"),
                &TEMPLATE.replace("MARKER", &marker),
            );
        }
        // A `--parameters` file (found by the scan too, but no template's sibling).
        let text = r#"{"parameters": {"note": {"value": "idlint-test-fault-parameters"}}}"#;
        write(dir.path(), "zz/extra.parameters.json", text);
        let parameters = dir.path().join("zz/extra.parameters.json");
        let options = CheckOptions {
            paths: vec![dir.path().to_path_buf()],
            parameter_files: vec![parameters],
            ..CheckOptions::default()
        };
        let result = check(&options).unwrap();
        let mut found: Vec<(&str, String, String)> = result
            .findings
            .iter()
            .map(|f| {
                let path = &result.sources.get(f.diagnostic.primary.span.file).path;
                let path = path.strip_prefix(dir.path()).unwrap().display().to_string();
                (f.code, path, f.diagnostic.message.clone())
            })
            .collect();
        found.sort();
        let codes: Vec<(&str, &str)> = found.iter().map(|(c, p, _)| (*c, p.as_str())).collect();
        assert_eq!(
            codes,
            [
                ("AZ103", "ok.json"),
                ("AZ103", "ok/main.tf"),
                ("IDL004", "arm.json"),
                ("IDL004", "module/main.tf"),
                ("IDL004", "parse/main.tf"),
                ("IDL004", "zz/extra.parameters.json"),
            ]
        );
        let human = crate::report::render(crate::report::Format::Human, &result, false, false);
        insta::with_settings!({
            filters => vec![
                (regex::escape(&dir.path().display().to_string()).as_str(), "[DIR]"),
                (r"isolate\.rs:\d+:\d+", "isolate.rs:[LINE]"),
            ],
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("internal_error_human", human);
        });
        for (code, _, message) in &found {
            if *code == "IDL004" {
                assert!(message.starts_with("idlint failed while "), "{message}");
                // Where idlint panicked (the injected assertion), not the panic's message.
                assert!(message.contains("(at src/isolate.rs:"), "{message}");
                assert!(!message.contains("injected"), "{message}");
            }
        }
    }
}
