//! AZ202: a workload uses Key Vault references, but has no identity or no read access to the
//! vault.

use super::roles::strings;
use super::secrets::is_key_vault_reference;
use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Model, Principal, ResourceId, Role, ScopeKind, Setting, Value, Workload};

pub struct KeyVaultReferenceWithoutAccess;

/// Built-in roles that can read secret values.
const SECRET_READERS: [&str; 3] = [
    "Key Vault Secrets User",
    "Key Vault Secrets Officer",
    "Key Vault Administrator",
];

impl Rule for KeyVaultReferenceWithoutAccess {
    const META: RuleMeta = RuleMeta {
        code: "AZ202",
        name: "key-vault-reference-without-access",
        summary: "a workload uses Key Vault references without an identity that can read the vault",
        severity: Severity::Error,
        docs: include_str!("../../rules/AZ202-key-vault-reference-without-access.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for workload in &model.workloads {
            let references: Vec<&Setting> = model
                .settings
                .iter()
                .filter(|s| s.resource == workload.resource)
                .filter(|s| {
                    s.value
                        .text_with_holes("\0")
                        .is_some_and(|t| is_key_vault_reference(&t))
                })
                .collect();
            let Some(first) = references.first() else {
                continue;
            };
            let resource = model.resource(workload.resource);
            let kind = workload.kind.describe();
            if workload.identity.has_any() == Some(false) {
                cx.report(
                    Diagnostic::new(
                        format!("{kind} {} uses Key Vault references but has no managed identity to resolve them", describe(resource)),
                        Label::new(first.value.span, "Key Vault reference"),
                        format!("{}/key-vault-reference", resource.address),
                    )
                    .with_label(Label::new(resource.span, "no identity"))
                    .with_help("give the workload a managed identity and grant it `Key Vault Secrets User` on the vault")
                    .with_labels(context_labels(resource)),
                );
                continue;
            }
            let Some(principal) = reference_principal(model, workload) else {
                continue;
            };
            for reference in references {
                let Some(vault) = referenced_vault(model, &reference.value) else {
                    continue;
                };
                if can_read_secrets(model, principal, vault) != Some(false) {
                    continue;
                }
                let vault_resource = model.resource(vault);
                let rbac = model
                    .key_vault_of(vault)
                    .and_then(|v| v.rbac_authorization.as_ref())
                    .and_then(Value::as_bool)
                    == Some(true);
                let (vault_label, help) = if rbac {
                    (
                        "the vault, in RBAC mode",
                        "assign `Key Vault Secrets User` to the identity that resolves the reference, with the vault as scope",
                    )
                } else {
                    (
                        "the vault, in access-policy mode",
                        "add an access policy with `Get` on secrets for the identity that resolves the reference (or switch the vault to RBAC and assign `Key Vault Secrets User`)",
                    )
                };
                cx.report(
                    Diagnostic::new(
                        format!(
                            "{kind} {} reads a secret from Key Vault {} through a Key Vault reference, but its identity has no secret read access on the vault",
                            describe(resource),
                            describe(model.resource(vault))
                        ),
                        Label::new(reference.value.span, "Key Vault reference"),
                        format!("{}/{}/key-vault-reference", resource.address, reference.name),
                    )
                    .with_label(Label::new(vault_resource.span, vault_label))
                    .with_help(help)
                    .with_labels(context_labels(resource)),
                );
            }
        }
    }
}

/// The identity that resolves the references: the one `key_vault_reference_identity_id`
/// names, else the system-assigned one.
fn reference_principal(model: &Model, workload: &Workload) -> Option<Principal> {
    let resource = model.resource(workload.resource);
    let chosen = resource
        .body
        .get("key_vault_reference_identity_id")
        .or_else(|| resource.body.path("properties.keyVaultReferenceIdentity"));
    match chosen {
        Some(value) => {
            // A reference to the identity (Terraform), or the same id as one the workload
            // attaches (ARM writes both as `resourceId(...)`).
            let id_text = value.text_with_holes("\0").map(|t| t.to_ascii_lowercase());
            let target = value
                .refs()
                .iter()
                .find_map(|r| r.resource.filter(|&t| model.identity_of(t).is_some()))
                .or_else(|| {
                    let id_text = id_text.as_ref()?;
                    workload.identity.user_assigned.iter().find_map(|attached| {
                        let same = attached
                            .value
                            .text_with_holes("\0")
                            .is_some_and(|t| t.eq_ignore_ascii_case(id_text));
                        attached.target.filter(|_| same)
                    })
                });
            match target {
                Some(identity) => Some(Principal::UserAssigned(identity)),
                None if value
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("SystemAssigned")) =>
                {
                    Some(Principal::SystemAssigned(workload.resource))
                }
                None => None,
            }
        }
        None if workload.identity.system_assigned == Some(true) => {
            Some(Principal::SystemAssigned(workload.resource))
        }
        None => None,
    }
}

/// The declared vault a reference points to: by a reference to the vault or one of its
/// secrets, or by the vault name in `SecretUri=https://NAME.vault...` / `VaultName=NAME`.
fn referenced_vault(model: &Model, value: &Value) -> Option<ResourceId> {
    for r in value.refs() {
        let Some(target) = r.resource else { continue };
        if model.key_vault_of(target).is_some() {
            return Some(target);
        }
        let parent = model.resource(target).body.get("key_vault_id");
        if let Some(vault) = parent.and_then(|p| p.refs().iter().find_map(|r| r.resource))
            && model.key_vault_of(vault).is_some()
        {
            return Some(vault);
        }
    }
    let text = value.text_with_holes("\0")?;
    let lower = text.to_ascii_lowercase();
    let name = if let Some(i) = lower.find("vaultname=") {
        text[i + 10..].split([';', ')']).next()?
    } else {
        let i = lower.find("https://")?;
        text[i + 8..].split('.').next()?
    };
    if name.is_empty() || name.contains('\0') {
        return None;
    }
    model.key_vaults.iter().map(|v| v.resource).find(|&v| {
        model
            .resource(v)
            .name
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// Whether a resource-scope id is the vault: a reference to it, or an id ending in its name.
fn scope_names_vault(model: &Model, scope: &Value, vault: ResourceId) -> bool {
    if scope.refs().iter().any(|r| r.resource == Some(vault)) {
        return true;
    }
    let (Some(id), Some(name)) = (
        scope.text_with_holes("\0"),
        model.resource(vault).name.to_text(),
    ) else {
        return false;
    };
    let id = id.to_ascii_lowercase();
    id.contains("microsoft.keyvault/vaults/")
        && id
            .trim_end_matches('/')
            .ends_with(&format!("/{}", name.to_ascii_lowercase()))
}

/// `Some(false)` only when nothing in the configuration could grant the principal secret reads
/// on the vault; `None` when an unresolved grant might.
fn can_read_secrets(model: &Model, principal: Principal, vault: ResourceId) -> Option<bool> {
    let rbac = model
        .key_vault_of(vault)?
        .rbac_authorization
        .as_ref()
        .map(Value::as_bool);
    let (rbac_counts, policies_count) = match rbac {
        Some(Some(true)) => (true, false),
        Some(Some(false)) | None => (false, true),
        Some(None) => (true, true),
    };
    let mut unknown = false;
    if policies_count {
        for policy in model
            .access_policies
            .iter()
            .filter(|p| p.vault == Some(vault) || p.vault.is_none())
        {
            let gets = strings(&policy.secret_permissions).map(|p| {
                p.iter()
                    .any(|x| x.eq_ignore_ascii_case("get") || x.eq_ignore_ascii_case("all"))
            });
            match (policy.principal == principal, policy.vault.is_some()) {
                (true, true) if gets == Some(true) => return Some(true),
                (true, _) if gets.is_none() => unknown = true,
                (false, _)
                    if policy.principal == Principal::Other && !policy.object_id.is_known() =>
                {
                    unknown = true
                }
                _ => {}
            }
        }
    }
    if rbac_counts {
        for assignment in &model.role_assignments {
            let reads = match assignment.role {
                Role::BuiltIn(role) => Some(SECRET_READERS.contains(&role.name)),
                _ => None,
            };
            let same = assignment.principal == principal;
            let maybe_same =
                assignment.principal == Principal::Other && !assignment.principal_value.is_known();
            if !(same || maybe_same) || reads == Some(false) {
                continue;
            }
            let covers = assignment.scope != ScopeKind::Unknown
                && (assignment.scope != ScopeKind::Resource
                    || scope_names_vault(model, &assignment.scope_value, vault));
            if same && reads == Some(true) && covers {
                return Some(true);
            }
            if covers || assignment.scope == ScopeKind::Unknown {
                unknown = true;
            }
        }
    }
    if unknown { None } else { Some(false) }
}
