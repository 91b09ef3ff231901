//! AZ203: one user-assigned identity is shared across resource groups or too many workloads.

use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::value::ANONYMOUS_HOLE;
use crate::model::{Model, Value, Workload};
use crate::span::Span;

pub struct SharedUserAssignedIdentity;

impl Rule for SharedUserAssignedIdentity {
    const META: RuleMeta = RuleMeta {
        code: "AZ203",
        name: "shared-user-assigned-identity",
        summary: "one user-assigned identity is attached to workloads in several resource groups or to too many workloads",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ203-shared-user-assigned-identity.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        let max = cx.options.max_workloads;
        for identity in &model.identities {
            let resource = model.resource(identity.resource);
            let attached: Vec<_> = model.workloads_attaching(identity.resource).collect();
            let mut groups: Vec<String> = attached
                .iter()
                .filter_map(|w| {
                    model
                        .resource(w.resource)
                        .resource_group
                        .as_ref()?
                        .to_text()
                })
                .map(|g| g.to_ascii_lowercase())
                .collect();
            groups.sort();
            groups.dedup();
            let workloads = distinct_resources(model, &attached);
            let message = if groups.len() >= 2 {
                let groups: Vec<String> = groups.iter().map(|g| format!("`{g}`")).collect();
                format!(
                    "user-assigned identity {} is shared by workloads in {} resource groups ({})",
                    describe(model.resource(identity.resource)),
                    groups.len(),
                    groups.join(", ")
                )
            } else if workloads > max {
                format!(
                    "user-assigned identity {} is shared by {workloads} workloads (more than {max})",
                    describe(model.resource(identity.resource)),
                )
            } else {
                continue;
            };
            // Instances of one `for_each` attach at the same place: one label names them all.
            let mut attach_sites: Vec<(Span, Vec<String>)> = Vec::new();
            for w in &attached {
                let workload = model.resource(w.resource);
                let span = w
                    .identity
                    .user_assigned
                    .iter()
                    .find(|r| r.target == Some(identity.resource))
                    .map_or(workload.span, |r| r.value.span);
                let address = format!("`{}`", workload.address);
                match attach_sites.iter_mut().find(|(s, _)| *s == span) {
                    Some((_, addresses)) => addresses.push(address),
                    None => attach_sites.push((span, vec![address])),
                }
            }
            let labels = attach_sites.into_iter().map(|(span, addresses)| {
                Label::new(span, format!("attached to {}", addresses.join(", ")))
            });
            cx.report(
                Diagnostic::new(message, Label::new(resource.span, "shared identity"), format!("{}/shared", resource.address))
                    .with_labels(labels)
                    .with_help("give each workload (or each tightly coupled group in one resource group) its own identity, so every grant follows one workload and a compromise stays contained")
                    .with_labels(context_labels(resource)),
            );
        }
    }
}

/// How many Azure resources `workloads` are: declarations with the same type, name and
/// resource group are one resource deployed twice (AVM pattern modules deploy a container app,
/// then deploy it again to update it). A name nobody knows anything about is its own resource.
fn distinct_resources(model: &Model, workloads: &[&Workload]) -> usize {
    let mut seen: Vec<(String, String, Option<String>)> = Vec::new();
    let mut count = 0;
    for workload in workloads {
        let resource = model.resource(workload.resource);
        let key = resource
            .name
            .key()
            .filter(|k| !k.contains(ANONYMOUS_HOLE))
            .map(|name| {
                (
                    resource.resource_type.to_ascii_lowercase(),
                    name,
                    resource.resource_group.as_ref().and_then(Value::key),
                )
            });
        match key {
            Some(key) if seen.contains(&key) => {}
            Some(key) => {
                seen.push(key);
                count += 1;
            }
            None => count += 1,
        }
    }
    count
}
