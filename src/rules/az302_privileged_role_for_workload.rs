//! AZ302: a workload identity gets a privileged role at resource-group or resource scope.

use super::roles::{principal_labels, role_is_privileged, role_name};
use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Model, Principal, ScopeKind};

pub struct PrivilegedRoleForWorkload;

impl Rule for PrivilegedRoleForWorkload {
    const META: RuleMeta = RuleMeta {
        code: "AZ302",
        name: "privileged-role-for-workload",
        summary: "a workload identity gets a privileged role at resource-group or resource scope",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ302-privileged-role-for-workload.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for assignment in &model.role_assignments {
            if !matches!(
                assignment.scope,
                ScopeKind::ResourceGroup | ScopeKind::Resource
            ) || !is_workload_identity(model, assignment.principal)
                || role_is_privileged(model, assignment.role) != Some(true)
            {
                continue;
            }
            let resource = model.resource(assignment.resource);
            let mut diagnostic = Diagnostic::new(
                format!(
                    "{} gets privileged role `{}` at {}",
                    workload_principal(model, assignment.principal),
                    role_name(model, assignment.role),
                    assignment.scope.describe()
                ),
                Label::new(assignment.role_value.span, "privileged role"),
                format!("{}/role", resource.address),
            )
            .with_label(Label::new(assignment.scope_value.span, assignment.scope.describe()))
            .with_help("grant the workload only the data or service role it uses (e.g. `Storage Blob Data Contributor`, `Key Vault Secrets User`) on the resource it calls: code that runs as Owner or Contributor can rewrite its own environment");
            diagnostic = diagnostic.with_labels(principal_labels(model, assignment));
            cx.report(diagnostic.with_labels(context_labels(resource)));
        }
    }
}

/// A system-assigned identity of a workload, or a user-assigned identity a workload attaches.
fn is_workload_identity(model: &Model, principal: Principal) -> bool {
    match principal {
        Principal::SystemAssigned(resource) => model.workload_of(resource).is_some(),
        Principal::UserAssigned(identity) => model.workloads_attaching(identity).next().is_some(),
        Principal::Other => false,
    }
}

/// Who the workload identity is, for the message.
fn workload_principal(model: &Model, principal: Principal) -> String {
    match principal {
        Principal::SystemAssigned(resource) => match model.workload_of(resource) {
            Some(w) => format!(
                "the system-assigned identity of {} {}",
                w.kind.describe(),
                describe(model.resource(resource))
            ),
            None => "a workload identity".to_string(),
        },
        Principal::UserAssigned(identity) => format!(
            "user-assigned identity {}, attached to {},",
            describe(model.resource(identity)),
            model
                .workloads_attaching(identity)
                .map(|w| describe(model.resource(w.resource)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Principal::Other => "a workload identity".to_string(),
    }
}
