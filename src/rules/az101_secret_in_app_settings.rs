//! AZ101: a workload setting holds a literal credential.

use super::secrets::{
    credential_shape, is_key_vault_reference, is_nontrivial_secret_value, is_secret_like_name,
};
use super::{Rule, RuleContext, RuleMeta, context_labels};
use crate::diagnostic::{Diagnostic, Label, Severity, redact};
use crate::model::{Frontend, SettingKind, Value, ValueKind};

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
                        let found = secrets_in_json(&json);
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

/// The literal credentials in a setting's JSON (a configuration object in one setting): a
/// credential-shaped string anywhere, or a literal under a secret-like key.
struct JsonSecrets {
    /// The keys they are under, each once, in order.
    keys: Vec<String>,
    /// Their texts, each once.
    texts: Vec<String>,
}

fn secrets_in_json(value: &Value) -> JsonSecrets {
    let mut found = JsonSecrets {
        keys: Vec::new(),
        texts: Vec::new(),
    };
    let mut seen_keys = foldhash::HashSet::default();
    let mut seen_texts = foldhash::HashSet::default();
    visit_json(value, "", &mut |key, text| {
        let credential = credential_shape(text).is_some()
            || (is_secret_like_name(key)
                && is_nontrivial_secret_value(text)
                && !is_key_vault_reference(text));
        if !credential {
            return;
        }
        if seen_keys.insert(key.to_string()) {
            found.keys.push(key.to_string());
        }
        if seen_texts.insert(text.to_string()) {
            found.texts.push(text.to_string());
        }
    });
    found
}

/// Two keys or more as a message names them: "`a`, `b` and `c`", the first
/// [`MAX_KEYS_NAMED`], then how many more.
fn listed(keys: &[String]) -> String {
    let mut named: Vec<String> = keys
        .iter()
        .take(MAX_KEYS_NAMED)
        .map(|key| format!("`{key}`"))
        .collect();
    if keys.len() > MAX_KEYS_NAMED {
        named.push(format!("{} more", keys.len() - MAX_KEYS_NAMED));
    }
    let last = named.pop().unwrap_or_default();
    format!("{} and {last}", named.join(", "))
}

/// How many keys of a setting's JSON a message names; the rest are counted.
const MAX_KEYS_NAMED: usize = 4;

/// Calls `visit(key, text)` for every known string below `value`, with the key it is under.
/// `value` is decoded JSON text, as deep as serde_json reads (128 levels): no deeper here.
fn visit_json(value: &Value, key: &str, visit: &mut dyn FnMut(&str, &str)) {
    match &value.kind {
        ValueKind::String(text) => visit(key, text),
        ValueKind::List(items) => items.iter().for_each(|item| visit_json(item, key, visit)),
        ValueKind::Map(entries) => entries
            .iter()
            .for_each(|e| visit_json(&e.value, &e.key, visit)),
        _ => {}
    }
}
