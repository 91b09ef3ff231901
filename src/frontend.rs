//! What a front end hands the engine.

use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::suppress::Suppression;

/// The models a front end built, the files it could not parse, and the suppression comments
/// it found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub models: Vec<Model>,
    /// `IDL001 invalid-file` diagnostics.
    pub invalid_files: Vec<Diagnostic>,
    pub suppressions: Vec<Suppression>,
}

impl Loaded {
    pub fn extend(&mut self, other: Loaded) {
        self.models.extend(other.models);
        self.invalid_files.extend(other.invalid_files);
        self.suppressions.extend(other.suppressions);
    }
}

/// Stack size of the threads the front ends evaluate on: evaluation recurses through references
/// and nested expressions (depth-bounded), and the bounds are generous.
const DEEP_STACK_BYTES: usize = 256 << 20;

thread_local! {
    static ON_DEEP_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` on a thread pool whose threads have deep stacks (as many threads as the current
/// pool), or directly when already on one. Memory for the stacks is reserved, not committed.
pub fn on_deep_stacks<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if ON_DEEP_STACK.with(std::cell::Cell::get) {
        return work();
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(DEEP_STACK_BYTES)
        .start_handler(|_| ON_DEEP_STACK.with(|deep| deep.set(true)))
        .build();
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}
