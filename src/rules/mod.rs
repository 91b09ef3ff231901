//! The rule framework and the one list of rules.

mod az101_secret_in_app_settings;
mod az102_credential_from_resource_in_settings;
mod az103_plaintext_secret_input;
mod az104_secret_in_output;
mod az105_hardcoded_credential;
mod az106_local_auth_enabled;
mod az201_missing_managed_identity;
mod az202_key_vault_reference_without_access;
mod az203_shared_user_assigned_identity;
mod az204_unused_user_assigned_identity;
mod az205_service_principal_secret;
mod az301_privileged_role_at_broad_scope;
mod az302_privileged_role_for_workload;
mod az303_data_role_at_broad_scope;
mod az304_wildcard_custom_role;
mod az305_broad_key_vault_access;
pub mod roles;
pub mod secrets;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Model, Resource};

/// What a rule is: its code, name, default severity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, `AZ301`.
    pub code: &'static str,
    /// Kebab-case name of the hazard, `privileged-role-at-broad-scope`.
    pub name: &'static str,
    /// One line: what the rule reports.
    pub summary: &'static str,
    pub severity: Severity,
    /// `rules/<CODE>-<name>.md`.
    pub docs: &'static str,
}

/// Options rules read from `.idlint.hcl`.
#[derive(Debug, Clone)]
pub struct RuleOptions {
    /// AZ203: how many workloads may share one user-assigned identity.
    pub max_workloads: usize,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions { max_workloads: 3 }
    }
}

pub struct RuleContext<'a> {
    pub model: &'a Model,
    pub options: &'a RuleOptions,
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleContext<'_> {
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// A rule: const metadata and a pure check over one model.
pub trait Rule {
    const META: RuleMeta;
    fn check(cx: &mut RuleContext);
}

/// A registered rule, as the engine runs it.
pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    pub check: fn(&mut RuleContext),
}

const fn entry<R: Rule>() -> RuleEntry {
    RuleEntry {
        meta: &R::META,
        check: R::check,
    }
}

/// Every rule, in code order.
pub static ALL_RULES: &[RuleEntry] = &[
    entry::<az101_secret_in_app_settings::SecretInAppSettings>(),
    entry::<az102_credential_from_resource_in_settings::CredentialFromResourceInSettings>(),
    entry::<az103_plaintext_secret_input::PlaintextSecretInput>(),
    entry::<az104_secret_in_output::SecretInOutput>(),
    entry::<az105_hardcoded_credential::HardcodedCredential>(),
    entry::<az106_local_auth_enabled::LocalAuthEnabled>(),
    entry::<az201_missing_managed_identity::MissingManagedIdentity>(),
    entry::<az202_key_vault_reference_without_access::KeyVaultReferenceWithoutAccess>(),
    entry::<az203_shared_user_assigned_identity::SharedUserAssignedIdentity>(),
    entry::<az204_unused_user_assigned_identity::UnusedUserAssignedIdentity>(),
    entry::<az205_service_principal_secret::ServicePrincipalSecret>(),
    entry::<az301_privileged_role_at_broad_scope::PrivilegedRoleAtBroadScope>(),
    entry::<az302_privileged_role_for_workload::PrivilegedRoleForWorkload>(),
    entry::<az303_data_role_at_broad_scope::DataRoleAtBroadScope>(),
    entry::<az304_wildcard_custom_role::WildcardCustomRole>(),
    entry::<az305_broad_key_vault_access::BroadKeyVaultAccess>(),
];

/// How a resource is named in a message: its address, with its configured name when the
/// address does not show it (ARM's `resources[3]`, a Terraform label that is not the name), or
/// with the ARM expression that names it when its value is not known.
pub fn describe(resource: &Resource) -> String {
    let shown = |name: &str| !resource.address.contains(name) && !name.contains('`');
    match (resource.name.as_str(), resource.name_written.as_deref()) {
        (Some(name), _) if shown(name) => format!("`{name}` (`{}`)", resource.address),
        (None, Some(written)) if shown(written) => {
            let written = cut(written, MAX_WRITTEN_NAME, "…");
            format!("`{written}` (`{}`)", resource.address)
        }
        _ => format!("`{}`", resource.address),
    }
}

/// The longest expression a message names a resource by, in characters.
const MAX_WRITTEN_NAME: usize = 60;

/// Labels on the module calls or nested deployments through which a resource is declared.
pub fn context_labels(resource: &Resource) -> Vec<Label> {
    resource
        .call_path
        .iter()
        .map(|&span| Label::new(span, "declared through this module call"))
        .collect()
}

/// Diagnostics of the tool itself, which share the rule namespace for `--select` and output.
pub static INVALID_FILE: RuleMeta = RuleMeta {
    code: "IDL001",
    name: "invalid-file",
    summary: "a file could not be read or parsed",
    severity: Severity::Error,
    docs: "",
};
pub static INVALID_SUPPRESSION: RuleMeta = RuleMeta {
    code: "IDL002",
    name: "invalid-suppression",
    summary: "a suppression comment names an unknown rule or gives no reason",
    severity: Severity::Warning,
    docs: "",
};
pub static UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    code: "IDL003",
    name: "unused-suppression",
    summary: "a suppression comment suppressed nothing",
    severity: Severity::Warning,
    docs: "",
};

pub static INTERNAL_ERROR: RuleMeta = RuleMeta {
    code: "IDL004",
    name: "internal-error",
    summary: "idlint failed on a file (a bug in idlint); the rest of the scan goes on",
    severity: Severity::Error,
    docs: "",
};

pub static TOOL_DIAGNOSTICS: [&RuleMeta; 4] = [
    &INVALID_FILE,
    &INVALID_SUPPRESSION,
    &UNUSED_SUPPRESSION,
    &INTERNAL_ERROR,
];

/// Every rule and tool diagnostic.
pub fn all_metas() -> impl Iterator<Item = &'static RuleMeta> {
    ALL_RULES
        .iter()
        .map(|r| r.meta)
        .chain(TOOL_DIAGNOSTICS.iter().copied())
}

/// A rule by code or name, case-insensitive for codes.
pub fn find(key: &str) -> Option<&'static RuleMeta> {
    all_metas().find(|m| m.code.eq_ignore_ascii_case(key) || m.name == key)
}

/// The message for a key that names no rule. A key longer than any rule's name is cut short:
/// it comes from the user's input, which may be a whole file.
pub fn unknown_rule_message(key: &str) -> String {
    format!("unknown rule `{}` (see `idlint rules`)", shown_key(key))
}

/// A rule key as messages show it: at most 64 characters.
pub fn shown_key(key: &str) -> std::borrow::Cow<'_, str> {
    cut(key, 64, "...")
}

/// `text` as a message shows it: at most `max_chars` characters, then `more` where it is cut.
fn cut<'t>(text: &'t str, max_chars: usize, more: &str) -> std::borrow::Cow<'t, str> {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}{more}", &text[..end]).into(),
        None => text.into(),
    }
}

/// Runs every rule in `enabled` over one model.
pub fn run(
    model: &Model,
    options: &RuleOptions,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<(&'static RuleMeta, Diagnostic)> {
    let mut out = Vec::new();
    for rule in ALL_RULES.iter().filter(|r| enabled(r.meta)) {
        let mut cx = RuleContext {
            model,
            options,
            diagnostics: Vec::new(),
        };
        (rule.check)(&mut cx);
        out.extend(cx.diagnostics.into_iter().map(|d| (rule.meta, d)));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn shown_key_cuts_at_a_character_boundary() {
        assert_eq!(super::shown_key("AZ101"), "AZ101");
        let exact = "é".repeat(64);
        assert_eq!(super::shown_key(&exact), exact);
        assert_eq!(super::shown_key(&"é".repeat(65)), format!("{exact}..."));
    }

    #[test]
    fn a_resource_is_described_by_its_name_or_the_expression_that_names_it() {
        use crate::model::{Resource, ResourceMode, Value, ValueKind};
        use crate::span::{FileId, Span};
        let span = Span::new(FileId(0), 0..1);
        let resource = |name: Value, written: Option<&str>| Resource {
            resource_type: "Microsoft.Storage/storageAccounts".into(),
            address: "resources[0]".into(),
            name,
            name_written: written.map(String::from),
            mode: ResourceMode::Managed,
            span,
            body: Value::new(ValueKind::Null, span),
            resource_group: None,
            call_path: Vec::new(),
        };
        let known = resource(Value::string("stdata", span), None);
        assert_eq!(super::describe(&known), "`stdata` (`resources[0]`)");
        let written = "[parameters('storageAccountName')]";
        let unknown = resource(Value::unknown(span), Some(written));
        assert_eq!(
            super::describe(&unknown),
            format!("`{written}` (`resources[0]`)")
        );
        let long = format!("[concat({}é)]", "'a', ".repeat(20));
        let described = super::describe(&resource(Value::unknown(span), Some(&long)));
        assert!(
            described.starts_with(&format!("`{}…`", &long[..60])),
            "{described}"
        );
        assert_eq!(
            super::describe(&resource(Value::unknown(span), None)),
            "`resources[0]`"
        );
    }
}
