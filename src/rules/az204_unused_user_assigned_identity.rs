//! AZ204: a user-assigned identity that nothing uses.

use std::collections::HashSet;

use super::roles::role_name;
use super::{Rule, RuleContext, RuleMeta, context_labels};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Model, Principal, ResourceId};

pub struct UnusedUserAssignedIdentity;

impl Rule for UnusedUserAssignedIdentity {
    const META: RuleMeta = RuleMeta {
        code: "AZ204",
        name: "unused-user-assigned-identity",
        summary: "a user-assigned identity that no workload attaches and that has no federated credential",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ204-unused-user-assigned-identity.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        let used = used_identities(model);
        for identity in &model.identities {
            let id = identity.resource;
            if used.contains(&id) {
                continue;
            }
            let resource = model.resource(id);
            let grants: Vec<_> = model.assignments_to(Principal::UserAssigned(id)).collect();
            let held = if grants.is_empty() {
                String::new()
            } else {
                let roles: Vec<String> = grants
                    .iter()
                    .map(|a| format!("`{}` at {}", role_name(model, a.role), a.scope.describe()))
                    .collect();
                format!(", yet it still holds {}", roles.join(", "))
            };
            cx.report(
                Diagnostic::new(
                    format!("user-assigned identity `{}` is attached to no workload and has no federated credential{held}", resource.address),
                    Label::new(resource.span, "unused identity"),
                    format!("{}/unused", resource.address),
                )
                .with_labels(grants.iter().map(|a| Label::new(a.role_value.span, "role it still holds")))
                .with_help("remove the identity and its role assignments, or attach it to the workload that needs it")
                .with_labels(context_labels(resource)),
            );
        }
    }
}

/// Identities that are attached to a workload, federated, or referenced by anything but a
/// grant: a reference (an AKS kubelet identity, an output another configuration consumes)
/// counts as use; role assignments and access policies naming it do not.
fn used_identities(model: &Model) -> HashSet<ResourceId> {
    let mut used: HashSet<ResourceId> = model
        .workloads
        .iter()
        .flat_map(|w| w.identity.user_assigned.iter().filter_map(|r| r.target))
        .chain(
            model
                .federated_credentials
                .iter()
                .filter_map(|f| f.identity),
        )
        .collect();
    let grants: HashSet<ResourceId> = model
        .role_assignments
        .iter()
        .map(|a| a.resource)
        .chain(model.federated_credentials.iter().map(|f| f.resource))
        .chain(model.key_vaults.iter().map(|v| v.resource))
        .collect();
    for (id, resource) in model.resources.iter().enumerate() {
        if grants.contains(&id) || GRANT_TYPES.iter().any(|t| resource.is_type(t)) {
            continue;
        }
        used.extend(
            resource
                .body
                .refs()
                .iter()
                .filter_map(|r| r.resource)
                .filter(|&r| r != id),
        );
    }
    for output in &model.outputs {
        used.extend(output.value.refs().iter().filter_map(|r| r.resource));
    }
    used
}

const GRANT_TYPES: [&str; 2] = [
    "azurerm_key_vault_access_policy",
    "Microsoft.KeyVault/vaults/accessPolicies",
];
