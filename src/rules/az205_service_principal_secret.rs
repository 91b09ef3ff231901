//! AZ205: a client secret is used where a managed identity or workload identity federation
//! would do.

use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::ResourceMode;
use crate::span::Span;

pub struct ServicePrincipalSecret;

impl Rule for ServicePrincipalSecret {
    const META: RuleMeta = RuleMeta {
        code: "AZ205",
        name: "service-principal-secret",
        summary: "a client secret is used where a managed identity or workload identity federation would do",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ205-service-principal-secret.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for resource in model
            .resources
            .iter()
            .filter(|r| r.mode == ResourceMode::Managed)
        {
            let found: Option<(Span, String, &str)> = if resource
                .is_type("azuread_application_password")
                || resource.is_type("azuread_service_principal_password")
            {
                Some((
                    resource.span,
                    format!("{} creates a client secret", describe(resource)),
                    "use a managed identity for workloads in Azure, or a federated identity credential (`azuread_application_federated_identity_credential`) for pipelines and external workloads",
                ))
            } else if resource.is_type("azurerm_kubernetes_cluster") {
                resource.body.entry("service_principal").map(|entry| {
                        (
                            entry.span.unwrap_or(resource.span),
                            format!("AKS cluster {} authenticates with a service principal secret", describe(resource)),
                            "replace `service_principal` with `identity { type = \"SystemAssigned\" }` (or a user-assigned identity)",
                        )
                    })
            } else if resource.is_type("Microsoft.ContainerService/managedClusters") {
                resource
                        .body
                        .path("properties.servicePrincipalProfile.secret")
                        .filter(|v| !v.is_null())
                        .map(|value| {
                            (
                                value.span,
                                format!("AKS cluster {} authenticates with a service principal secret", describe(resource)),
                                "remove `servicePrincipalProfile` and set `\"identity\": { \"type\": \"SystemAssigned\" }`",
                            )
                        })
            } else {
                None
            };
            if let Some((span, message, help)) = found {
                cx.report(
                    Diagnostic::new(
                        message,
                        Label::new(span, "client secret"),
                        format!("{}/client-secret", resource.address),
                    )
                    .with_help(help)
                    .with_labels(context_labels(resource)),
                );
            }
        }
        for provider in &model.providers {
            if !matches!(
                provider.name.as_str(),
                "azurerm" | "azuread" | "backend.azurerm"
            ) {
                continue;
            }
            let Some(entry) = provider.body.entry("client_secret") else {
                continue;
            };
            if entry.value.is_null() {
                continue;
            }
            cx.report(
                Diagnostic::new(
                    format!("`{}` authenticates with a client secret", provider.name),
                    Label::new(entry.span.unwrap_or(entry.value.span), "client secret"),
                    format!("provider.{}/client_secret", provider.name),
                )
                .with_help("authenticate with OIDC (`use_oidc = true`, workload identity federation) in pipelines or a managed identity (`use_msi = true`) on Azure-hosted runners")
                .with_labels(provider.call_path.iter().map(|&s| Label::new(s, "declared through this module call"))),
            );
        }
    }
}
