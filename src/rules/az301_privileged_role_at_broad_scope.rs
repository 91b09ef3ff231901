//! AZ301: a privileged role is assigned at root, management-group or subscription scope.

use super::roles::{principal_labels, role_is_privileged, role_name};
use super::{Rule, RuleContext, RuleMeta, context_labels};
use crate::diagnostic::{Diagnostic, Label, Severity};

pub struct PrivilegedRoleAtBroadScope;

impl Rule for PrivilegedRoleAtBroadScope {
    const META: RuleMeta = RuleMeta {
        code: "AZ301",
        name: "privileged-role-at-broad-scope",
        summary: "a privileged role is assigned at root, management-group or subscription scope",
        severity: Severity::Error,
        docs: include_str!("../../rules/AZ301-privileged-role-at-broad-scope.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for assignment in &model.role_assignments {
            if !assignment.scope.is_broad()
                || role_is_privileged(model, assignment.role) != Some(true)
            {
                continue;
            }
            let resource = model.resource(assignment.resource);
            let role = role_name(model, assignment.role);
            let mut diagnostic = Diagnostic::new(
                format!("privileged role `{role}` is assigned at {}", assignment.scope.describe()),
                Label::new(assignment.role_value.span, "privileged role"),
                format!("{}/role", resource.address),
            )
            .with_label(Label::new(
                assignment.scope_value.span,
                format!("{} covers every resource below it", assignment.scope.describe()),
            ))
            .with_help(
                "assign the narrowest role that does the job (a service-specific or data-plane role) at the resource group or resource the principal works on; keep standing Owner, Contributor and User Access Administrator grants at broad scopes to break-glass accounts under PIM",
            );
            diagnostic = diagnostic.with_labels(principal_labels(model, assignment));
            if let Some(origin) = assignment.role_value.origin {
                diagnostic = diagnostic.with_label(Label::new(origin, "the role is set here"));
            }
            if let Some(origin) = assignment.scope_value.origin {
                diagnostic = diagnostic.with_label(Label::new(origin, "the scope is set here"));
            }
            cx.report(diagnostic.with_labels(context_labels(resource)));
        }
    }
}
