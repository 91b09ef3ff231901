//! AZ105: a literal credential in a resource, provider or backend argument.

use super::secrets::{is_literal_credential, is_secret_like_name};
use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::data::{is_arm_secret_argument, is_azurerm_secret_attribute};
use crate::diagnostic::{Diagnostic, Label, Severity, redact};
use crate::model::{Frontend, Resource, ResourceMode, Value, ValueKind};

pub struct HardcodedCredential;

impl Rule for HardcodedCredential {
    const META: RuleMeta = RuleMeta {
        code: "AZ105",
        name: "hardcoded-credential",
        summary: "a literal credential in a resource, provider or backend argument",
        severity: Severity::Error,
        docs: include_str!("../../rules/AZ105-hardcoded-credential.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        let mut found = Vec::new();
        for (id, resource) in model.resources.iter().enumerate() {
            if resource.mode == ResourceMode::Existing {
                continue;
            }
            let mut hits = Vec::new();
            walk(&resource.body, &mut |path, key, value| {
                let credential_argument = || match key_vault_secret_value(resource, path) {
                    Some(named_like_a_credential) => named_like_a_credential,
                    None if model.frontend == Frontend::Terraform => {
                        is_azurerm_secret_attribute(&resource.resource_type, path, false)
                    }
                    None => is_arm_secret_argument(&resource.resource_type, path),
                };
                if let ValueKind::String(text) = &value.kind
                    && is_literal_credential(key, text, credential_argument)
                {
                    hits.push((path.to_string(), value.clone()));
                }
            });
            found.extend(
                hits.into_iter()
                    .map(|(path, value)| (Some(id), resource.address.clone(), path, value)),
            );
        }
        for provider in &model.providers {
            let mut hits = Vec::new();
            walk(&provider.body, &mut |path, key, value| {
                if let ValueKind::String(text) = &value.kind
                    && is_literal_credential(key, text, || false)
                {
                    hits.push((path.to_string(), value.clone()));
                }
            });
            let address = format!("provider.{}", provider.name);
            found.extend(
                hits.into_iter()
                    .map(|(path, value)| (None, address.clone(), path, value)),
            );
        }
        for (resource, address, path, value) in found {
            let text = value.as_str().unwrap_or_default();
            let owner =
                resource.map_or_else(|| format!("`{address}`"), |id| describe(model.resource(id)));
            let mut diagnostic = Diagnostic::new(
                format!("`{path}` of {owner} is a literal credential (`{}`)", redact(text)),
                Label::new(value.span, "literal credential"),
                format!("{address}/{path}"),
            )
            .with_redacted_value(&value, vec![text.to_string()])
            .with_help(match model.frontend {
                Frontend::Terraform => "pass the secret in from a secret store (an `ephemeral` or `sensitive` variable fed by the pipeline, or a Key Vault data source), or remove it in favour of Entra ID authentication with a managed identity",
                Frontend::Arm => "take the value from a `securestring` parameter fed by a Key Vault reference in the parameter file, or remove it in favour of Entra ID authentication with a managed identity",
            });
            if let Some(origin) = value.origin {
                diagnostic = diagnostic.with_label(Label::new(origin, "the value is written here"));
            }
            if let Some(resource) = resource {
                diagnostic = diagnostic.with_labels(context_labels(model.resource(resource)));
            }
            cx.report(diagnostic);
        }
    }
}

/// Whether the secret is named like a credential, when `path` is a Key Vault secret's value:
/// templates keep settings in Key Vault too (an API version, an endpoint), so the value is a
/// credential by its name or its shape only. `None` for any other argument.
fn key_vault_secret_value(resource: &Resource, path: &str) -> Option<bool> {
    let is_value = match resource.resource_type.as_str() {
        "azurerm_key_vault_secret" => path == "value",
        t if t.eq_ignore_ascii_case("Microsoft.KeyVault/vaults/secrets") => {
            path == "properties.value"
        }
        _ => false,
    };
    if !is_value {
        return None;
    }
    // An ARM secret is named `vault/secret`. A name not known is no credential's.
    let name = resource.name.text_with_holes("\0").unwrap_or_default();
    let secret = name.rsplit('/').next().unwrap_or_default();
    Some(!secret.contains('\0') && is_secret_like_name(secret))
}

/// Subtrees that hold workload settings: AZ101 reports those.
const SETTINGS_KEYS: [&str; 8] = [
    "app_settings",
    "connection_string",
    "env",
    "environment_variables",
    "appsettings",
    "connectionstrings",
    "environmentvariables",
    "tags",
];

const MAX_DEPTH: usize = 48;

/// Calls `visit(path, key, value)` for every scalar below `value`, skipping settings subtrees.
fn walk(value: &Value, visit: &mut dyn FnMut(&str, &str, &Value)) {
    walk_below(value, &mut String::new(), 0, visit);
}

/// `walk` with the dotted `path` of `value` in a buffer that is restored on return.
fn walk_below(
    value: &Value,
    path: &mut String,
    depth: usize,
    visit: &mut dyn FnMut(&str, &str, &Value),
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &value.kind {
        ValueKind::Map(entries) => {
            for entry in entries {
                if SETTINGS_KEYS
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&entry.key))
                {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&entry.key);
                match &entry.value.kind {
                    ValueKind::Map(_) | ValueKind::List(_) => {
                        walk_below(&entry.value, path, depth + 1, visit)
                    }
                    // JSON text, as azurerm takes a VM extension's settings.
                    _ => match entry.value.json_decoded() {
                        Some(decoded) => walk_below(&decoded, path, depth + 1, visit),
                        None => visit(path, &entry.key, &entry.value),
                    },
                }
                path.truncate(len);
            }
        }
        ValueKind::List(items) => items
            .iter()
            .for_each(|item| walk_below(item, path, depth + 1, visit)),
        _ => {}
    }
}
