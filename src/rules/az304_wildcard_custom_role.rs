//! AZ304: a custom role grants wildcard or authorization-writing permissions.

use super::roles::{action_matches, strings};
use super::{Rule, RuleContext, RuleMeta, context_labels};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::Value;

pub struct WildcardCustomRole;

impl Rule for WildcardCustomRole {
    const META: RuleMeta = RuleMeta {
        code: "AZ304",
        name: "wildcard-custom-role",
        summary: "a custom role grants `*`, `*/write`, `Microsoft.Authorization/*` or role-assignment writes",
        severity: Severity::Error,
        docs: include_str!("../../rules/AZ304-wildcard-custom-role.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        for definition in &model.role_definitions {
            let resource = model.resource(definition.resource);
            for block in &definition.permissions {
                let not_actions = strings(&block.not_actions).unwrap_or_default();
                for (action, why) in broad_actions(&block.actions, &not_actions) {
                    let text = action.to_text().unwrap_or_default();
                    cx.report(
                        Diagnostic::new(
                            format!("custom role `{}` grants `{text}`: {why}", role_label(definition.name.to_text(), &resource.address)),
                            Label::new(action.span, "too broad"),
                            format!("{}/actions/{text}", resource.address),
                        )
                        .with_label(Label::new(resource.span, "custom role"))
                        .with_help("list the specific `Microsoft.<Provider>/<type>/<operation>` actions the role needs; leave role assignment and definition writes to built-in roles granted through PIM")
                        .with_labels(context_labels(resource)),
                    );
                }
                for data_action in block.data_actions.items() {
                    if data_action.to_text().as_deref() == Some("*") {
                        cx.report(
                            Diagnostic::new(
                                format!(
                                    "custom role `{}` grants every data action `*`",
                                    role_label(definition.name.to_text(), &resource.address)
                                ),
                                Label::new(data_action.span, "too broad"),
                                format!("{}/data_actions/*", resource.address),
                            )
                            .with_help("list the specific data actions the role needs")
                            .with_labels(context_labels(resource)),
                        );
                    }
                }
            }
        }
    }
}

fn role_label(name: Option<String>, address: &str) -> String {
    name.unwrap_or_else(|| address.to_string())
}

/// The actions of a block that are too broad, with the reason.
fn broad_actions<'a>(actions: &'a Value, not_actions: &[String]) -> Vec<(&'a Value, &'static str)> {
    let revoked = |target: &str| not_actions.iter().any(|n| action_matches(n, target));
    actions
        .items()
        .iter()
        .filter_map(|action| {
            let text = action.to_text()?;
            let why = if text == "*" {
                "every action on every resource type"
            } else if text.eq_ignore_ascii_case("*/write") {
                "write on every resource type"
            } else if text.eq_ignore_ascii_case("Microsoft.Authorization/*") {
                "every authorization action, including role assignments"
            } else if action_matches(&text, "Microsoft.Authorization/roleAssignments/write")
                && !revoked("Microsoft.Authorization/roleAssignments/write")
            {
                "it can assign roles, so it can grant itself anything"
            } else if action_matches(&text, "Microsoft.Authorization/roleDefinitions/write")
                && !revoked("Microsoft.Authorization/roleDefinitions/write")
            {
                "it can rewrite role definitions, so it can grant itself anything"
            } else {
                return None;
            };
            Some((action, why))
        })
        .collect()
}
