//! AZ103: a secret input is not marked sensitive, or has a literal default.

use super::secrets::{
    credential_shape, is_nontrivial_secret_value, is_secret_like_name, listed, literal_secrets_in,
};
use super::{Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Label, Severity, redact};
use crate::model::{Frontend, Input, ValueKind};

pub struct PlaintextSecretInput;

impl Rule for PlaintextSecretInput {
    const META: RuleMeta = RuleMeta {
        code: "AZ103",
        name: "plaintext-secret-input",
        summary: "a secret input is not marked sensitive, or has a literal default",
        severity: Severity::Warning,
        docs: include_str!("../../rules/AZ103-plaintext-secret-input.md"),
    };

    fn check(cx: &mut RuleContext) {
        let model = cx.model;
        let (kind, marker) = match model.frontend {
            Frontend::Terraform => ("variable", "`sensitive = true`"),
            Frontend::Arm => ("parameter", "a `securestring` or `secureObject` type"),
        };
        for input in &model.inputs {
            let secret_name =
                is_secret_like_name(&input.name) && !is_non_secret_type(input, model.frontend);
            // A default with a credential's shape is a secret whatever the input is called: a
            // caller that overrides it does not take it out of the repository.
            if let Some(default) = literal_default(input)
                && (secret_name
                    || (input.sensitive && !is_identifier(&default))
                    || credential_shape(&default).is_some())
            {
                cx.report(
                    Diagnostic::new(
                        format!("{kind} `{}` has a literal secret default (`{}`)", input.name, redact(&default)),
                        Label::new(input.default.as_ref().map_or(input.span, |d| d.span), "literal secret"),
                        format!("input/{}/default", input.name),
                    )
                    .with_redacted(input.default.as_ref().map_or(input.span, |d| d.origin.unwrap_or(d.span)))
                    .with_help("remove the default and pass the value at deploy time from a secret store (Key Vault, a pipeline secret)"),
                );
                continue;
            }
            // An object or a list with a credential in it, wherever it is used.
            if let Some(default) = &input.default
                && matches!(default.kind, ValueKind::Map(_) | ValueKind::List(_))
            {
                let found = literal_secrets_in(default);
                if let Some(first) = found.texts.first() {
                    let keys: Vec<String> =
                        found.keys.into_iter().filter(|k| !k.is_empty()).collect();
                    let under = match keys.as_slice() {
                        [] => String::new(),
                        [key] => format!(" under `{key}`"),
                        keys => format!(" under {}", listed(keys)),
                    };
                    cx.report(
                        Diagnostic::new(
                            format!(
                                "{kind} `{}` has a literal secret default{under} (`{}`)",
                                input.name,
                                redact(first)
                            ),
                            Label::new(default.span, "literal secret"),
                            format!("input/{}/default", input.name),
                        )
                        .with_redacted_value(default, found.texts)
                        .with_help("remove the secret from the default and pass it at deploy time from a secret store (Key Vault, a pipeline secret)"),
                    );
                    continue;
                }
            }
            if secret_name && !input.sensitive {
                let primary = match &input.type_value {
                    Some(value) if model.frontend == Frontend::Arm => {
                        Label::new(value.span, "not a secure type")
                    }
                    _ => Label::new(input.span, format!("no {marker}")),
                };
                let help = match model.frontend {
                    Frontend::Terraform => {
                        "add `sensitive = true` so plans and logs do not show the value"
                    }
                    Frontend::Arm => {
                        "declare the parameter as `securestring` (`@secure()` in Bicep) so the value is not logged or returned by the deployment"
                    }
                };
                cx.report(
                    Diagnostic::new(
                        format!(
                            "{kind} `{}` looks like a secret but is not marked sensitive",
                            input.name
                        ),
                        primary,
                        format!("input/{}", input.name),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

/// Booleans, numbers and the like are flags about secrets, not secrets. An ARM `array` cannot be
/// declared secure, so a secret-like name on it (`authCredentials`, a list of Key Vault secret
/// references) has no fix this rule could ask for.
fn is_non_secret_type(input: &Input, frontend: Frontend) -> bool {
    let Some(text) = input.type_value.as_ref().and_then(|t| t.to_text()) else {
        return false;
    };
    let text = text.to_ascii_lowercase();
    ["bool", "number", "int"].iter().any(|t| text == *t)
        || (frontend == Frontend::Arm && text == "array")
}

/// A GUID: an object or tenant id that an author marked secure, not a secret.
fn is_identifier(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The default when it is a non-trivial literal string.
fn literal_default(input: &Input) -> Option<String> {
    let default = input.default.as_ref()?;
    let ValueKind::String(text) = &default.kind else {
        return None;
    };
    is_nontrivial_secret_value(text).then(|| text.clone())
}
