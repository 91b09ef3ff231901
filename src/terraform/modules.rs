//! Module directories: which files make up each module, which local modules each calls, and
//! which directories are roots.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::path::PathBuf;

use super::ast::{Attribute, Block, Body, ExprKind};

/// Whether a `source` names a local module directory.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
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
    /// Where the call of each name is in `module_calls` (the first, should two share a name).
    pub module_index: HashMap<&'a str, usize>,
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

    /// The `module` block named `name`.
    pub fn module_call(&self, name: &str) -> Option<&'a Block> {
        let &position = self.module_index.get(name)?;
        self.module_calls.get(position).copied()
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
                    self.module_index
                        .entry(block.label(0))
                        .or_insert(self.module_calls.len());
                    self.module_calls.push(block);
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

/// The order in which scanned module directories become roots. First, those no other member
/// calls. Then, as evaluations settle directories (evaluate them as roots or instantiate them),
/// each member whose callers are all settled and which none of them instantiated; in a cycle of
/// calls, the first unsettled member. Linear in members and calls, however deep the calls nest.
pub struct RootOrder {
    /// Sorted directory indexes.
    members: Vec<usize>,
    /// By directory index: the distinct members it calls (members only).
    calls: Vec<Vec<usize>>,
    /// By directory index: how many of its member callers are not settled yet.
    waiting: Vec<usize>,
    settled: Vec<bool>,
    ready: Vec<usize>,
    /// No member before this index in `members` is unsettled.
    cursor: usize,
}

impl RootOrder {
    /// `dirs` directories, of which `members` are candidates; `edges` are the local calls.
    pub fn new(dirs: usize, members: &[usize], edges: &BTreeMap<usize, Vec<usize>>) -> RootOrder {
        let mut is_member = vec![false; dirs];
        for &m in members {
            is_member[m] = true;
        }
        let mut calls = vec![Vec::new(); dirs];
        let mut waiting = vec![0; dirs];
        for &from in members {
            let mut to: Vec<usize> = edges
                .get(&from)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&to| to != from && is_member[to])
                .collect();
            to.sort_unstable();
            to.dedup();
            for &t in &to {
                waiting[t] += 1;
            }
            calls[from] = to;
        }
        let mut members = members.to_vec();
        members.sort_unstable();
        let ready = members
            .iter()
            .copied()
            .filter(|&m| waiting[m] == 0)
            .collect();
        RootOrder {
            members,
            calls,
            waiting,
            settled: vec![false; dirs],
            ready,
            cursor: 0,
        }
    }

    /// Records that `dir` was evaluated, as a root or as an instance.
    pub fn settle(&mut self, dir: usize) {
        if std::mem::replace(&mut self.settled[dir], true) {
            return;
        }
        for &to in &self.calls[dir] {
            self.waiting[to] -= 1;
            if self.waiting[to] == 0 {
                self.ready.push(to);
            }
        }
    }

    /// The next roots, sorted; empty when every member is settled.
    pub fn next_round(&mut self) -> Vec<usize> {
        let settled = &self.settled;
        let mut round: Vec<usize> = self.ready.drain(..).filter(|&d| !settled[d]).collect();
        if round.is_empty() {
            while self.cursor < self.members.len() && settled[self.members[self.cursor]] {
                self.cursor += 1;
            }
            round.extend(self.members.get(self.cursor));
        }
        round.sort_unstable();
        round
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every round of `order`, settling each root and whatever `instantiates` says it reaches.
    fn rounds(mut order: RootOrder, instantiates: &[(usize, &[usize])]) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        loop {
            let round = order.next_round();
            if round.is_empty() {
                return out;
            }
            for &root in &round {
                order.settle(root);
                for (from, reached) in instantiates {
                    if *from == root {
                        reached.iter().for_each(|&d| order.settle(d));
                    }
                }
            }
            out.push(round);
        }
    }

    #[test]
    fn roots_come_outermost_first_and_cycles_are_broken() {
        let mut edges = BTreeMap::new();
        edges.insert(0, vec![1, 1]);
        edges.insert(1, vec![2]);
        edges.insert(3, vec![4]);
        edges.insert(4, vec![3]);
        edges.insert(5, vec![5, 6]);
        let all = [0, 1, 2, 3, 4, 5, 6];
        // 0 instantiates 1 and 2; 3 and 4 call each other; 5 calls 6 with no instance.
        let order = RootOrder::new(7, &all, &edges);
        assert_eq!(
            rounds(order, &[(0, &[1, 2]), (3, &[4])]),
            vec![vec![0, 5], vec![6], vec![3]]
        );
        // 0 instantiates nothing: 1, then 2, each once its caller is settled.
        let order = RootOrder::new(7, &[0, 1, 2], &edges);
        assert_eq!(rounds(order, &[]), vec![vec![0], vec![1], vec![2]]);
        // Calls from directories that are not members do not count.
        let order = RootOrder::new(7, &[2, 4, 6], &edges);
        assert_eq!(rounds(order, &[]), vec![vec![2, 4, 6]]);
    }

    #[test]
    fn local_sources() {
        assert!(is_local_source("./modules/app"));
        assert!(is_local_source("../../"));
        assert!(!is_local_source("Azure/caf/azurerm"));
    }
}
