//! The Terraform front end: HCL with spans (hcl-edit), resolution, lowering into the model.

pub mod ast;
pub mod parse;

use crate::frontend::Loaded;
use crate::source::SourceDb;
use crate::span::FileId;

/// Builds one model per root module among `files`; `var_files` are `--var-file` values.
pub fn load(_db: &mut SourceDb, _files: &[FileId], _var_files: &[FileId]) -> Loaded {
    Loaded::default()
}
