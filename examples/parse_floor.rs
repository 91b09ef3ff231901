//! The floor for `idlint check`: read and parse every Terraform and JSON file under the given
//! paths with the same parser crates, on all cores, and do nothing else.
//!
//! cargo run --release --example parse_floor -- ../shared/corpus

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

fn main() {
    let roots: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let started = Instant::now();
    // A parallel walk, as `idlint check` does: a serial one made the floor 15 % slower.
    let found = std::sync::Mutex::new(Vec::new());
    for root in &roots {
        ignore::WalkBuilder::new(root)
            .hidden(false)
            .threads(rayon::current_num_threads())
            .build_parallel()
            .run(|| {
                let found = &found;
                Box::new(move |entry| {
                    if let Ok(entry) = entry {
                        let name = entry.file_name().to_string_lossy();
                        if [".tf", ".tfvars", ".json"]
                            .iter()
                            .any(|e| name.ends_with(e))
                        {
                            found.lock().unwrap().push(entry.into_path());
                        }
                    }
                    ignore::WalkState::Continue
                })
            });
    }
    let files = found.into_inner().unwrap();
    let (bytes, parsed): (usize, usize) = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return (0, 0);
            };
            let text = text.trim_start_matches('\u{feff}');
            let ok = if path.extension().is_some_and(|e| e == "json") {
                jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).is_ok()
            } else {
                hcl_edit::parser::parse_body(text).is_ok()
            };
            if !ok && std::env::var_os("PARSE_FLOOR_LIST_FAILURES").is_some() {
                eprintln!("not parsed: {}", path.display());
            }
            (text.len(), usize::from(ok))
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!(
        "{} files, {:.1} MB, {parsed} parsed, {:.3} s",
        files.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
}
