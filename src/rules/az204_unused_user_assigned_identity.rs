//! AZ204: a user-assigned identity that nothing uses.

use std::collections::HashSet;

use super::roles::role_name;
use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Model, Principal, ResourceId, Value, ValueKind};

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
        // An identity list the model could not resolve may attach any of them.
        if !model.unresolved_attachments.is_empty() {
            return;
        }
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
                    format!("user-assigned identity {} is attached to no workload and has no federated credential{held}", describe(model.resource(id))),
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

/// Identities that are attached to a workload or another resource, federated, or referenced by
/// anything but a grant: a reference (an AKS kubelet identity, an output another configuration
/// consumes, an id handed to a nested deployment) counts as use; role assignments and access
/// policies naming it do not.
fn used_identities(model: &Model) -> HashSet<ResourceId> {
    let mut used: HashSet<ResourceId> = model
        .workloads
        .iter()
        .flat_map(|w| w.identity.user_assigned.iter().filter_map(|r| r.target))
        .chain(model.attachments.iter().filter_map(|a| a.identity.target))
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
    // ARM names identities by id strings (`resourceId(...)`), not by references.
    let mut named: Vec<String> = Vec::new();
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
        for entry in resource.body.entries() {
            if !entry.key.eq_ignore_ascii_case("dependsOn") {
                identity_names_in(&entry.value, &mut named);
            }
        }
    }
    let mut output_texts: Vec<String> = Vec::new();
    for output in &model.outputs {
        used.extend(output.value.refs().iter().filter_map(|r| r.resource));
        identity_names_in(&output.value, &mut named);
        output_strings(&output.value, &mut output_texts);
    }
    for identity in &model.identities {
        let name = model
            .resource(identity.resource)
            .name
            .text_with_holes("\0")
            .map(|n| n.to_ascii_lowercase());
        let named_by_id = named.iter().any(|segment| match &name {
            Some(name) => segment == name || (segment == "\0" && name.contains('\0')),
            None => segment == "\0",
        });
        // An output that hands the identity's name on to whatever consumes it.
        let exported_name = name
            .as_ref()
            .is_some_and(|n| n.chars().any(|c| c != '\0') && output_texts.contains(n));
        if named_by_id || exported_name {
            used.insert(identity.resource);
        }
    }
    used
}

/// Every string (lowercase, `\0` for unknown parts) in an output's value.
fn output_strings(value: &Value, out: &mut Vec<String>) {
    match &value.kind {
        ValueKind::List(items) => items.iter().for_each(|v| output_strings(v, out)),
        ValueKind::Map(entries) => entries.iter().for_each(|e| output_strings(&e.value, out)),
        _ => {
            if let Some(text) = value.text_with_holes("\0") {
                out.push(text.to_ascii_lowercase());
            }
        }
    }
}

const IDENTITY_ID_PREFIX: &str = "microsoft.managedidentity/userassignedidentities/";

/// The name segments (lowercase, `\0` for unknown parts) of user-assigned identity ids written in
/// the strings of `value`.
fn identity_names_in(value: &Value, out: &mut Vec<String>) {
    match &value.kind {
        ValueKind::List(items) => items.iter().for_each(|v| identity_names_in(v, out)),
        ValueKind::Map(entries) => entries
            .iter()
            .for_each(|e| identity_names_in(&e.value, out)),
        ValueKind::String(text) => identity_names_in_text(text, out),
        ValueKind::Template(_) => {
            if let Some(text) = value.text_with_holes("\0") {
                identity_names_in_text(&text, out);
            }
        }
        _ => {}
    }
}

/// Where the first `/` of `IDENTITY_ID_PREFIX` is.
const PREFIX_SLASH: usize = "microsoft.managedidentity".len();

fn identity_names_in_text(text: &str, out: &mut Vec<String>) {
    let bytes = text.as_bytes();
    if bytes.len() < IDENTITY_ID_PREFIX.len() {
        return;
    }
    // Every occurrence of the prefix (in any letter case) has a `/` at `PREFIX_SLASH`; the
    // prefix cannot overlap itself, so the occurrences are found one per such `/`.
    for slash in memchr::memchr_iter(b'/', bytes) {
        let Some(start) = slash.checked_sub(PREFIX_SLASH) else {
            continue;
        };
        let end = start + IDENTITY_ID_PREFIX.len();
        if !bytes
            .get(start..end)
            .is_some_and(|c| c.eq_ignore_ascii_case(IDENTITY_ID_PREFIX.as_bytes()))
        {
            continue;
        }
        let name = text[end..].split('/').next().unwrap_or_default();
        if !name.is_empty() {
            out.push(name.to_ascii_lowercase());
        }
    }
}

const GRANT_TYPES: [&str; 2] = [
    "azurerm_key_vault_access_policy",
    "Microsoft.KeyVault/vaults/accessPolicies",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        identity_names_in_text(text, &mut out);
        out
    }

    #[test]
    fn identity_names_in_any_case() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Id-One";
        assert_eq!(names(id), ["id-one"]);
        assert_eq!(
            names(&format!(
                "{id}/{}/x",
                id.to_ascii_uppercase().replace("ONE", "Two")
            )),
            ["id-one", "id-two"]
        );
        assert_eq!(
            names("MICROSOFT.MANAGEDIDENTITY/USERASSIGNEDIDENTITIES/\0-uai/extra"),
            ["\0-uai"]
        );
        assert!(names("microsoft.managedidentity/userassignedidentities/").is_empty());
        assert!(names("microsoft.managedidentity/userassignedidentitie/x").is_empty());
        assert!(names("/microsoft.managedidentity/userassignedidentities").is_empty());
    }
}
