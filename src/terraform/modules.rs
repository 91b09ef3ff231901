//! Module directories: which files make up each module, which local modules each calls, and
//! which directories are roots.

use std::collections::{BTreeMap, HashSet};

use foldhash::HashMap;
use std::path::{Component, Path, PathBuf};

use super::ast::{Attribute, Block, Body, ExprKind};

/// Whether a `source` names a local module directory.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// `base/relative` with `.` and `..` removed lexically.
pub fn join_normalized(base: &Path, relative: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for component in base.join(relative).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The `source` of a module block when it is a literal string.
pub fn module_source(block: &Block) -> Option<&str> {
    match &block.body.expr("source")?.kind {
        ExprKind::String(s) => Some(s.as_str()),
        _ => None,
    }
}

/// One module directory's declarations, indexed by name.
#[derive(Debug, Default)]
pub struct ModuleDef<'a> {
    pub dir: PathBuf,
    pub variables: HashMap<&'a str, &'a Block>,
    pub variable_order: Vec<&'a Block>,
    pub locals: HashMap<&'a str, &'a Attribute>,
    /// Managed resources and data sources by (is data, type, name), in source order.
    pub resources: Vec<&'a Block>,
    pub resource_index: HashMap<(bool, &'a str, &'a str), &'a Block>,
    pub module_calls: Vec<&'a Block>,
    pub module_index: HashMap<&'a str, &'a Block>,
    /// The local module each call names (index into the module list), when found.
    pub children: HashMap<&'a str, usize>,
    pub outputs: Vec<&'a Block>,
    pub output_index: HashMap<&'a str, &'a Block>,
    pub providers: Vec<&'a Block>,
    pub backends: Vec<&'a Block>,
    /// `terraform.tfvars` then `*.auto.tfvars` in lexical order.
    pub tfvars: Vec<&'a Body>,
}

impl<'a> ModuleDef<'a> {
    pub fn new(dir: PathBuf) -> ModuleDef<'a> {
        ModuleDef {
            dir,
            ..ModuleDef::default()
        }
    }

    pub fn add_body(&mut self, body: &'a Body) {
        for block in &body.blocks {
            match block.kind.as_str() {
                "variable" => {
                    self.variables.insert(block.label(0), block);
                    self.variable_order.push(block);
                }
                "locals" => {
                    for attr in &block.body.attributes {
                        self.locals.insert(attr.name.as_str(), attr);
                    }
                }
                "resource" | "data" if block.labels.len() >= 2 => {
                    self.resources.push(block);
                    self.resource_index.insert(
                        (block.kind == "data", block.label(0), block.label(1)),
                        block,
                    );
                }
                "module" => {
                    self.module_calls.push(block);
                    self.module_index.insert(block.label(0), block);
                }
                "output" => {
                    self.outputs.push(block);
                    self.output_index.insert(block.label(0), block);
                }
                "provider" => self.providers.push(block),
                "terraform" => self.backends.extend(block.body.blocks("backend")),
                _ => {}
            }
        }
    }
}

/// The roots among `members` (directory indexes), given the local calls between directories
/// (calls from or to non-members are left out): members no other member calls, then, for
/// members only reachable through a cycle, the first of each. Sorted.
pub fn roots(members: &[usize], edges: &BTreeMap<usize, Vec<usize>>) -> Vec<usize> {
    let member: HashSet<usize> = members.iter().copied().collect();
    let calls = |from: usize| {
        edges
            .get(&from)
            .into_iter()
            .flatten()
            .copied()
            .filter(|to| member.contains(to))
    };
    let called: HashSet<usize> = members
        .iter()
        .flat_map(|&from| calls(from).filter(move |&to| to != from))
        .collect();
    let mut sorted = members.to_vec();
    sorted.sort_unstable();
    let mut roots: Vec<usize> = sorted
        .iter()
        .copied()
        .filter(|d| !called.contains(d))
        .collect();
    let mut reached: HashSet<usize> = HashSet::new();
    let mut stack: Vec<usize> = roots.clone();
    loop {
        while let Some(d) = stack.pop() {
            if reached.insert(d) {
                stack.extend(calls(d));
            }
        }
        match sorted.iter().find(|d| !reached.contains(d)) {
            Some(&d) => {
                roots.push(d);
                stack.push(d);
            }
            None => break,
        }
    }
    roots.sort_unstable();
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_skip_called_directories_and_break_cycles() {
        let mut edges = BTreeMap::new();
        edges.insert(0, vec![1]);
        edges.insert(1, vec![2]);
        edges.insert(3, vec![4]);
        edges.insert(4, vec![3]);
        edges.insert(5, vec![5, 6]);
        assert_eq!(roots(&[0, 1, 2, 3, 4, 5], &edges), vec![0, 3, 5]);
        // Among a subset, calls from directories outside it do not count.
        assert_eq!(roots(&[1, 2, 4, 6], &edges), vec![1, 4, 6]);
        assert_eq!(roots(&[2, 3, 4], &edges), vec![2, 3]);
    }

    #[test]
    fn local_sources() {
        assert!(is_local_source("./modules/app"));
        assert!(is_local_source("../../"));
        assert!(!is_local_source("Azure/caf/azurerm"));
        assert_eq!(
            join_normalized(Path::new("a/b/examples"), "../../"),
            PathBuf::from("a")
        );
        assert_eq!(
            join_normalized(Path::new("a/b"), "./modules/x"),
            PathBuf::from("a/b/modules/x")
        );
    }
}
