//! AZ303: a data-plane role is assigned above the resource it is for.

use super::roles::principal_labels;
use super::{Rule, RuleContext, RuleMeta, context_labels};
use crate::data::BuiltinRole;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Role, ScopeKind};

pub struct DataRoleAtBroadScope;

/// Role name prefixes of the data-plane families this rule covers.
const DATA_ROLE_FAMILIES: [&str; 12] = [
    "Key Vault ",
    "Storage Blob Data ",
    "Storage Queue Data ",
    "Storage Table Data ",
    "Storage File Data ",
    "Azure Service Bus Data ",
    "Azure Event Hubs Data ",
    "App Configuration Data ",
    "Cosmos DB ",
    "Search Index Data ",
    "AcrPull",
    "AcrPush",
];

/// Whether the role grants data access to one kind of resource.
pub fn is_data_role(role: &BuiltinRole) -> bool {
    DATA_ROLE_FAMILIES
        .iter()
        .any(|prefix| role.name.starts_with(prefix))
        && (role.data_plane || role.name.starts_with("Acr"))
        && !role.name.ends_with("Administrator")
}

impl Rule for DataRoleAtBroadScope {
    const META: RuleMeta = RuleMeta {
        code: "AZ303",
        name: "data-role-at-broad-scope",
        summary: "a data-plane role is assigned at resource-group, subscription or management-group scope",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ303-data-role-at-broad-scope.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for assignment in &model.role_assignments {
            let Role::BuiltIn(role) = assignment.role else {
                continue;
            };
            if !is_data_role(role)
                || !matches!(
                    assignment.scope,
                    ScopeKind::ResourceGroup
                        | ScopeKind::Subscription
                        | ScopeKind::ManagementGroup
                        | ScopeKind::Root
                )
            {
                continue;
            }
            let resource = model.resource(assignment.resource);
            let mut diagnostic = Diagnostic::new(
                format!("data role `{}` is assigned at {}", role.name, assignment.scope.describe()),
                Label::new(assignment.role_value.span, "data-plane role"),
                format!("{}/role", resource.address),
            )
            .with_label(Label::new(
                assignment.scope_value.span,
                format!("grants access to the data of every matching resource at {}", assignment.scope.describe()),
            ))
            .with_help(format!(
                "assign `{}` on the one vault, storage account, namespace or registry the principal uses (its resource id as `scope`)",
                role.name
            ));
            diagnostic = diagnostic.with_labels(principal_labels(model, assignment));
            cx.report(diagnostic.with_labels(context_labels(resource)));
        }
    }
}
