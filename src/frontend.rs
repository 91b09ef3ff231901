//! What a front end hands the engine.

use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::suppress::Suppression;

/// What a front end made of its files: one entry per model it built (the model itself, or what
/// the scan's `each` made of it), the files it could not parse or check, and the suppression
/// comments it found.
#[derive(Debug)]
pub struct Loaded<M = Model> {
    pub models: Vec<M>,
    /// `IDL001 invalid-file` diagnostics.
    pub invalid_files: Vec<Diagnostic>,
    /// `IDL004 internal-error` diagnostics: files whose work panicked ([`crate::isolate`]).
    pub internal_errors: Vec<Diagnostic>,
    pub suppressions: Vec<Suppression>,
}

impl<M> Default for Loaded<M> {
    fn default() -> Self {
        Loaded {
            models: Vec::new(),
            invalid_files: Vec::new(),
            internal_errors: Vec::new(),
            suppressions: Vec::new(),
        }
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
