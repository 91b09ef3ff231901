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
