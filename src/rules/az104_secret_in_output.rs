//! AZ104: an output exposes a secret.

use std::collections::HashSet;

use super::secrets::is_access_credential;
use super::{Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::Frontend;

pub struct SecretInOutput;

impl Rule for SecretInOutput {
    const META: RuleMeta = RuleMeta {
        code: "AZ104",
        name: "secret-in-output",
        summary: "an output exposes a secret",
        severity: Severity::Error,
        docs: include_str!("../../rules/AZ104-secret-in-output.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        let sensitive_inputs: HashSet<&str> = model
            .inputs
            .iter()
            .filter(|i| i.sensitive)
            .map(|i| i.name.as_str())
            .collect();
        for output in &model.outputs {
            if output.sensitive && !output.nonsensitive {
                continue;
            }
            let secret_ref = output
                .value
                .refs()
                .into_iter()
                .find(|r| is_access_credential(model, r))
                .map(|r| r.text.clone());
            let secret_input = output
                .inputs
                .iter()
                .find(|name| sensitive_inputs.contains(name.as_str()))
                .cloned();
            let source = match (secret_ref, secret_input) {
                (Some(text), _) => format!("`{text}`"),
                (None, Some(name)) => match model.frontend {
                    Frontend::Terraform => format!("sensitive variable `{name}`"),
                    Frontend::Arm => format!("secure parameter `{name}`"),
                },
                (None, None) => continue,
            };
            let (message, help) = match model.frontend {
                Frontend::Terraform if output.nonsensitive => (
                    format!(
                        "output `{}` strips the sensitivity of {source} with `nonsensitive()`",
                        output.name
                    ),
                    "output the secret's Key Vault id or name instead, or keep it `sensitive = true` without `nonsensitive()`",
                ),
                Frontend::Terraform => (
                    format!(
                        "output `{}` exposes {source} without `sensitive = true`",
                        output.name
                    ),
                    "mark the output `sensitive = true`, or better output a Key Vault secret id and let consumers read it with their identity",
                ),
                Frontend::Arm => (
                    format!(
                        "output `{}` returns {source}: deployment outputs are readable by anyone with read access to the deployment",
                        output.name
                    ),
                    "do not return secrets from a deployment: write them to Key Vault and output the secret's URI, or let the consumer call `listKeys()` itself",
                ),
            };
            cx.report(
                Diagnostic::new(
                    message,
                    Label::new(output.value.span, "secret value"),
                    format!("output/{}", output.name),
                )
                .with_label(Label::new(output.span, "output"))
                .with_help(help),
            );
        }
    }
}
