//! AZ201: a workload that calls other Azure services has no managed identity.

use super::{Rule, RuleContext, RuleMeta, context_labels, describe};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Frontend, ResourceMode};

pub struct MissingManagedIdentity;

impl Rule for MissingManagedIdentity {
    const META: RuleMeta = RuleMeta {
        code: "AZ201",
        name: "missing-managed-identity",
        summary: "a workload that calls other Azure services has no managed identity",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ201-missing-managed-identity.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for workload in &model.workloads {
            let resource = model.resource(workload.resource);
            if !workload.calls_azure || resource.mode == ResourceMode::Existing {
                continue;
            }
            if workload.identity.has_any() != Some(false) {
                continue;
            }
            let kind = workload.kind.describe();
            let (primary, message) = match &workload.identity.kind {
                Some(value) => (
                    Label::new(value.span, "identity type `None`"),
                    format!(
                        "{kind} {} has its managed identity turned off",
                        describe(resource)
                    ),
                ),
                None => (
                    Label::new(resource.span, "no `identity`"),
                    format!("{kind} {} has no managed identity", describe(resource)),
                ),
            };
            let help = match model.frontend {
                Frontend::Terraform => {
                    "add `identity { type = \"SystemAssigned\" }` (or a user-assigned identity) and grant it the roles the code needs, instead of keys or secrets"
                }
                Frontend::Arm => {
                    "add `\"identity\": { \"type\": \"SystemAssigned\" }` (or a user-assigned identity) and grant it the roles the code needs, instead of keys or secrets"
                }
            };
            cx.report(
                Diagnostic::new(message, primary, format!("{}/identity", resource.address))
                    .with_help(help)
                    .with_labels(context_labels(resource)),
            );
        }
    }
}
