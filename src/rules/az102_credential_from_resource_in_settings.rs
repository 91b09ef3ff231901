//! AZ102: a workload setting is derived from another resource's key or connection string.

use super::secrets::is_access_credential;
use super::{Rule, RuleContext, RuleMeta, context_labels};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Model, Ref, Setting, SettingKind};

pub struct CredentialFromResourceInSettings;

impl Rule for CredentialFromResourceInSettings {
    const META: RuleMeta = RuleMeta {
        code: "AZ102",
        name: "credential-from-resource-in-settings",
        summary: "a workload setting is derived from another resource's key or connection string",
        severity: Severity::Error,
        docs: include_str!("../../rules/AZ102-credential-from-resource-in-settings.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for setting in &model.settings {
            if setting.secret_reference {
                continue;
            }
            let refs = setting.value.refs();
            let Some(secret) = refs.iter().find(|r| is_access_credential(model, r)) else {
                continue;
            };
            let resource = model.resource(setting.resource);
            let what = match setting.kind {
                SettingKind::AppSetting => "app setting",
                SettingKind::ConnectionString => "connection string",
                SettingKind::Environment => "environment variable",
                SettingKind::StorageKey => "storage setting",
            };
            let mut diagnostic = Diagnostic::new(
                format!(
                    "{what} `{}` is built from `{}`, a credential of another resource",
                    setting.name, secret.text
                ),
                Label::new(setting.value.span, "credential copied into the setting"),
                format!("{}/{}", resource.address, setting.name),
            )
            .with_help(help(model, secret, setting));
            if let Some(source) = secret.resource {
                diagnostic = diagnostic.with_label(Label::new(
                    model.resource(source).span,
                    "the credential comes from this resource",
                ));
            }
            cx.report(diagnostic.with_labels(context_labels(resource)));
        }
    }
}

/// The identity-based alternative for the kind of resource the credential comes from.
fn help(model: &Model, secret: &Ref, setting: &Setting) -> String {
    let resource_type = secret
        .resource
        .map(|r| model.resource(r).resource_type.to_ascii_lowercase())
        // `listKeys(resourceId('Microsoft.ServiceBus/namespaces/authorizationRules', ...))`
        .unwrap_or_else(|| secret.text.to_ascii_lowercase());
    let name = setting.name.as_str();
    let prefix = name.split("__").next().unwrap_or(name);
    if setting.kind == SettingKind::StorageKey {
        format!(
            "remove `{name}` and set `storage_uses_managed_identity = true`, then grant the function app's identity `Storage Blob Data Owner` on the account; then disable shared key access"
        )
    } else if resource_type == "random_password" {
        "store the generated password in Key Vault and set `@Microsoft.KeyVault(SecretUri=...)` as the value, or drop the password in favour of Entra ID authentication with the workload's managed identity".to_string()
    } else if resource_type.contains("storage") {
        format!(
            "connect with the workload's managed identity instead: set `{prefix}__accountName` (or `{prefix}__blobServiceUri`) and grant the identity a data role such as `Storage Blob Data Owner` on the account; then disable shared key access"
        )
    } else if resource_type.contains("servicebus") || resource_type.contains("eventhub") {
        format!(
            "connect with the workload's managed identity instead: set `{prefix}__fullyQualifiedNamespace` and grant the identity `Azure Service Bus Data Sender`/`Receiver` (or the Event Hubs data roles) on the namespace"
        )
    } else if resource_type.contains("cosmos") || resource_type.contains("documentdb") {
        format!(
            "connect with the workload's managed identity instead: set `{prefix}__accountEndpoint` and grant the identity a Cosmos DB data-plane role"
        )
    } else if resource_type.contains("key_vault_secret") || resource_type.contains("keyvault") {
        "reference the secret instead of copying it: `@Microsoft.KeyVault(SecretUri=...)` with the secret's versionless id, and grant the workload's identity `Key Vault Secrets User` on the vault".to_string()
    } else {
        "give the workload a managed identity and a data role on the target resource, or keep the credential in Key Vault and use a `@Microsoft.KeyVault(...)` reference".to_string()
    }
}
