//! AZ101: a workload setting holds a literal credential.

use super::secrets::{
    credential_shape, is_key_vault_reference, is_nontrivial_secret_value, is_secret_like_name,
    listed, literal_secrets_in,
};
use super::{Rule, RuleContext, RuleMeta, context_labels};
use crate::diagnostic::{Diagnostic, Label, Severity, redact};
use crate::model::{Frontend, SettingKind};

pub struct SecretInAppSettings;

impl Rule for SecretInAppSettings {
    const META: RuleMeta = RuleMeta {
        code: "AZ101",
        name: "secret-in-app-settings",
        summary: "a workload setting holds a literal credential",
        severity: Severity::Error,
        docs: include_str!("../../rules/AZ101-secret-in-app-settings.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for setting in &model.settings {
            if setting.secret_reference || setting.kind == SettingKind::StorageKey {
                continue;
            }
            let Some(text) = setting.value.text_with_holes("\0") else {
                continue;
            };
            if is_key_vault_reference(&text) {
                continue;
            }
            let (reason, secrets) = match credential_shape(&text) {
                Some(reason) => (reason.to_string(), vec![text.clone()]),
                None if setting.value.is_known()
                    && is_secret_like_name(&setting.name)
                    && is_nontrivial_secret_value(&text) =>
                {
                    let reason = "a literal value under a secret-like name";
                    (reason.to_string(), vec![text.clone()])
                }
                None => match setting.value.json_decoded() {
                    Some(json) => {
                        let found = literal_secrets_in(&json);
                        let reason = match found.keys.as_slice() {
                            [] => continue,
                            [key] => format!("JSON with a literal value under `{key}`"),
                            keys => format!("JSON with literal values under {}", listed(keys)),
                        };
                        (reason, found.texts)
                    }
                    None => continue,
                },
            };
            let resource = model.resource(setting.resource);
            let what = match setting.kind {
                SettingKind::AppSetting => "app setting",
                SettingKind::ConnectionString => "connection string",
                _ => "environment variable",
            };
            let value = &setting.value;
            let help = match model.frontend {
                Frontend::Terraform => {
                    "keep the secret in Key Vault and set `@Microsoft.KeyVault(SecretUri=...)` as the value, or use an identity-based connection (`<NAME>__accountName`, `<NAME>__fullyQualifiedNamespace`) with a data role for the workload's identity"
                }
                Frontend::Arm => {
                    "pass the secret as a `securestring` parameter into Key Vault and set `@Microsoft.KeyVault(SecretUri=...)` as the value, or use an identity-based connection (`<NAME>__accountName`) with a data role for the workload's identity"
                }
            };
            let mut diagnostic = Diagnostic::new(
                format!(
                    "{what} `{}` holds {reason} (`{}`)",
                    setting.name,
                    redact(text.trim_start_matches(|c: char| c.is_whitespace()))
                ),
                Label::new(value.span, "literal credential"),
                format!("{}/{}", resource.address, setting.name),
            )
            .with_redacted_value(value, secrets)
            .with_help(help);
            if let Some(origin) = value.origin {
                diagnostic = diagnostic.with_label(Label::new(origin, "the value is written here"));
            }
            cx.report(diagnostic.with_labels(context_labels(resource)));
        }
    }
}
