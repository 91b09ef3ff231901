//! AZ305: a Key Vault access policy grants everything of a kind or `Purge`, or a vault does not
//! use RBAC authorization.

use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Frontend, ResourceMode};

pub struct BroadKeyVaultAccess;

impl Rule for BroadKeyVaultAccess {
    const META: RuleMeta = RuleMeta {
        code: "AZ305",
        name: "broad-key-vault-access",
        summary: "a Key Vault access policy grants all permissions of a kind or `Purge`, or a vault does not use RBAC",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ305-broad-key-vault-access.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for policy in &model.access_policies {
            for (kind, list) in [
                ("secret", &policy.secret_permissions),
                ("key", &policy.key_permissions),
                ("certificate", &policy.certificate_permissions),
                ("storage", &policy.storage_permissions),
            ] {
                for item in list.items() {
                    let Some(text) = item.to_text() else { continue };
                    let why = match text.to_ascii_lowercase().as_str() {
                        "all" => format!("grants every {kind} permission"),
                        "purge" => format!(
                            "grants `Purge` on {kind}s, which destroys them beyond recovery"
                        ),
                        _ => continue,
                    };
                    let on_vault = policy
                        .vault
                        .map(|v| format!(" on Key Vault {}", describe(model.resource(v))))
                        .unwrap_or_default();
                    cx.report(
                        Diagnostic::new(
                            format!("access policy{on_vault} {why}"),
                            Label::new(item.span, "too broad"),
                            format!("access-policy/{}/{kind}/{text}", policy.span.start),
                        )
                        .with_label(Label::new(policy.span, "access policy"))
                        .with_help(format!("grant only the {kind} permissions the principal uses (usually `Get` and `List`); better, switch the vault to RBAC and assign `Key Vault Secrets User`")),
                    );
                }
            }
        }
        for vault in &model.key_vaults {
            let resource = model.resource(vault.resource);
            if resource.mode == ResourceMode::Existing {
                continue;
            }
            let label = match &vault.rbac_authorization {
                Some(value) if value.as_bool() == Some(false) => {
                    Label::new(value.span, "RBAC authorization off")
                }
                Some(_) => continue,
                None => Label::new(resource.span, "RBAC authorization is off by default"),
            };
            let help = match model.frontend {
                Frontend::Terraform => {
                    "set `rbac_authorization_enabled = true` (`enable_rbac_authorization` before azurerm 4.x) and grant `Key Vault Secrets User` per workload at the vault scope"
                }
                Frontend::Arm => {
                    "set `\"enableRbacAuthorization\": true` and grant `Key Vault Secrets User` per workload at the vault scope"
                }
            };
            cx.report(
                Diagnostic::new(
                    format!(
                        "Key Vault {} uses access policies instead of RBAC authorization",
                        describe(model.resource(vault.resource))
                    ),
                    label,
                    format!("{}/rbac", resource.address),
                )
                .with_help(help)
                .with_labels(context_labels(resource)),
            );
        }
    }
}
