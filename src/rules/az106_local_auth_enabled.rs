//! AZ106: key or local authentication left enabled where Entra ID authentication exists.

use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Frontend, Resource, ResourceMode};

pub struct LocalAuthEnabled;

/// One setting that turns local authentication on or off.
struct Switch {
    resource_type: &'static str,
    /// Dotted path in the body.
    path: &'static str,
    /// True when the setting names the *enabled* state (`local_auth_enabled`), false when it
    /// names the disabled state (`disableLocalAuth`).
    enables: bool,
    /// Whether local authentication is on when the setting is absent (the provider/API default).
    default_on: bool,
    what: &'static str,
}

const fn on(resource_type: &'static str, path: &'static str, what: &'static str) -> Switch {
    Switch {
        resource_type,
        path,
        enables: true,
        default_on: true,
        what,
    }
}
const fn off(resource_type: &'static str, path: &'static str, what: &'static str) -> Switch {
    Switch {
        resource_type,
        path,
        enables: false,
        default_on: true,
        what,
    }
}

const SWITCHES: &[Switch] = &[
    on(
        "azurerm_storage_account",
        "shared_access_key_enabled",
        "shared key access",
    ),
    on(
        "Microsoft.Storage/storageAccounts",
        "properties.allowSharedKeyAccess",
        "shared key access",
    ),
    Switch {
        default_on: false,
        ..on(
            "azurerm_container_registry",
            "admin_enabled",
            "the admin user",
        )
    },
    Switch {
        default_on: false,
        ..on(
            "Microsoft.ContainerRegistry/registries",
            "properties.adminUserEnabled",
            "the admin user",
        )
    },
    off(
        "azurerm_cosmosdb_account",
        "local_authentication_disabled",
        "key authentication",
    ),
    off(
        "Microsoft.DocumentDB/databaseAccounts",
        "properties.disableLocalAuth",
        "key authentication",
    ),
    on(
        "azurerm_servicebus_namespace",
        "local_auth_enabled",
        "SAS key authentication",
    ),
    off(
        "Microsoft.ServiceBus/namespaces",
        "properties.disableLocalAuth",
        "SAS key authentication",
    ),
    on(
        "azurerm_eventhub_namespace",
        "local_authentication_enabled",
        "SAS key authentication",
    ),
    off(
        "Microsoft.EventHub/namespaces",
        "properties.disableLocalAuth",
        "SAS key authentication",
    ),
    on(
        "azurerm_app_configuration",
        "local_auth_enabled",
        "access key authentication",
    ),
    off(
        "Microsoft.AppConfiguration/configurationStores",
        "properties.disableLocalAuth",
        "access key authentication",
    ),
    on(
        "azurerm_cognitive_account",
        "local_auth_enabled",
        "API key authentication",
    ),
    off(
        "Microsoft.CognitiveServices/accounts",
        "properties.disableLocalAuth",
        "API key authentication",
    ),
    on(
        "azurerm_search_service",
        "local_authentication_enabled",
        "API key authentication",
    ),
    off(
        "Microsoft.Search/searchServices",
        "properties.disableLocalAuth",
        "API key authentication",
    ),
    on(
        "azurerm_signalr_service",
        "local_auth_enabled",
        "access key authentication",
    ),
    off(
        "Microsoft.SignalRService/signalR",
        "properties.disableLocalAuth",
        "access key authentication",
    ),
    on(
        "azurerm_web_pubsub",
        "local_auth_enabled",
        "access key authentication",
    ),
    off(
        "Microsoft.SignalRService/webPubSub",
        "properties.disableLocalAuth",
        "access key authentication",
    ),
    on(
        "azurerm_eventgrid_topic",
        "local_auth_enabled",
        "access key authentication",
    ),
    off(
        "Microsoft.EventGrid/topics",
        "properties.disableLocalAuth",
        "access key authentication",
    ),
    on(
        "azurerm_eventgrid_domain",
        "local_auth_enabled",
        "access key authentication",
    ),
    off(
        "Microsoft.EventGrid/domains",
        "properties.disableLocalAuth",
        "access key authentication",
    ),
    off(
        "azurerm_application_insights",
        "local_authentication_disabled",
        "instrumentation-key ingestion",
    ),
    off(
        "Microsoft.Insights/components",
        "properties.DisableLocalAuth",
        "instrumentation-key ingestion",
    ),
    off(
        "azurerm_kubernetes_cluster",
        "local_account_disabled",
        "local Kubernetes accounts",
    ),
    off(
        "Microsoft.ContainerService/managedClusters",
        "properties.disableLocalAccounts",
        "local Kubernetes accounts",
    ),
    Switch {
        enables: false,
        ..on(
            "azurerm_mssql_server",
            "azuread_administrator.azuread_authentication_only",
            "SQL authentication",
        )
    },
    Switch {
        enables: false,
        ..on(
            "Microsoft.Sql/servers",
            "properties.administrators.azureADOnlyAuthentication",
            "SQL authentication",
        )
    },
];

impl Rule for LocalAuthEnabled {
    const META: RuleMeta = RuleMeta {
        code: "AZ106",
        name: "local-auth-enabled",
        summary: "key or local authentication is left enabled where Entra ID authentication exists",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ106-local-auth-enabled.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for resource in &model.resources {
            if resource.mode == ResourceMode::Existing {
                continue;
            }
            let Some(switch) = SWITCHES.iter().find(|s| resource.is_type(s.resource_type)) else {
                continue;
            };
            if cosmos_without_entra_data_plane(resource) {
                continue;
            }
            if let Some(diagnostic) = check_switch(resource, switch, model.frontend) {
                cx.report(diagnostic.with_labels(context_labels(resource)));
            }
        }
    }
}

fn check_switch(resource: &Resource, switch: &Switch, frontend: Frontend) -> Option<Diagnostic> {
    let setting = resource.body.path(switch.path);
    let (enabled, label) = match setting {
        Some(value) if value.is_null() => (switch.default_on, Label::new(resource.span, "default")),
        Some(value) => {
            let flag = value.as_bool()?;
            (
                flag == switch.enables,
                Label::new(value.span, format!("{} stays enabled", switch.what)),
            )
        }
        None => (
            switch.default_on,
            Label::new(resource.span, format!("`{}` is not set", leaf(switch.path))),
        ),
    };
    if !enabled {
        return None;
    }
    let setting_name = leaf(switch.path);
    let fix = if switch.enables { "false" } else { "true" };
    let message = match setting {
        Some(value) if !value.is_null() => {
            format!("{} leaves {} enabled", describe(resource), switch.what)
        }
        _ => format!(
            "{} leaves {} enabled by default",
            describe(resource),
            switch.what
        ),
    };
    Some(
        Diagnostic::new(message, label, format!("{}/{}", resource.address, switch.path))
            .with_help(match frontend {
                Frontend::Terraform => format!("set `{setting_name} = {fix}` and give clients a managed identity with a data role instead of keys"),
                Frontend::Arm => format!("set `\"{setting_name}\": {fix}` and give clients a managed identity with a data role instead of keys"),
            }),
    )
}

/// Cosmos DB accounts for MongoDB (RU), Cassandra and Gremlin have no Entra ID data-plane
/// authentication: their clients need the keys, so disabling local auth is not an option.
fn cosmos_without_entra_data_plane(resource: &Resource) -> bool {
    if !resource.is_type("azurerm_cosmosdb_account")
        && !resource.is_type("Microsoft.DocumentDB/databaseAccounts")
    {
        return false;
    }
    let body = &resource.body;
    if body
        .get("kind")
        .and_then(|k| k.as_str())
        .is_some_and(|k| k.eq_ignore_ascii_case("MongoDB"))
    {
        return true;
    }
    let capabilities = body
        .path("properties.capabilities")
        .or_else(|| body.get("capabilities"));
    capabilities.is_some_and(|list| {
        list.items().iter().any(|c| {
            c.get("name").and_then(|n| n.as_str()).is_some_and(|n| {
                ["EnableMongo", "EnableCassandra", "EnableGremlin"]
                    .iter()
                    .any(|api| n.eq_ignore_ascii_case(api))
            })
        })
    })
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}
