//! Role facts shared by the authorization rules.

use crate::diagnostic::Label;
use crate::model::{Model, Principal, Role, RoleAssignment, RoleDefinition, Value};

/// The role's display name: built-in name, custom role name, or `unknown role`.
pub fn role_name(model: &Model, role: Role) -> String {
    match role {
        Role::BuiltIn(builtin) => builtin.name.to_string(),
        Role::Custom(i) => model.role_definitions[i].name.to_text().unwrap_or_else(|| {
            model
                .resource(model.role_definitions[i].resource)
                .address
                .clone()
        }),
        Role::Unknown => "unknown role".to_string(),
    }
}

/// Whether the role is privileged: the data's flag for built-ins, the effective actions of a
/// custom role; `None` when unknown.
pub fn role_is_privileged(model: &Model, role: Role) -> Option<bool> {
    match role {
        Role::BuiltIn(builtin) => Some(builtin.privileged),
        Role::Custom(i) => custom_role_is_privileged(&model.role_definitions[i]),
        Role::Unknown => None,
    }
}

/// A custom role is privileged when some permissions block grants `*` or a write to role
/// assignments or role definitions that its `not_actions` do not take back.
pub fn custom_role_is_privileged(definition: &RoleDefinition) -> Option<bool> {
    let mut unknown = false;
    for block in &definition.permissions {
        let (Some(actions), Some(not_actions)) =
            (strings(&block.actions), strings(&block.not_actions))
        else {
            unknown = true;
            continue;
        };
        if actions.iter().any(|a| a == "*") {
            return Some(true);
        }
        for target in [
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleDefinitions/write",
        ] {
            let granted = actions.iter().any(|a| action_matches(a, target));
            let revoked = not_actions.iter().any(|a| action_matches(a, target));
            if granted && !revoked {
                return Some(true);
            }
        }
    }
    if unknown { None } else { Some(false) }
}

/// Known strings of a list value; an absent (null) list is empty.
pub fn strings(value: &Value) -> Option<Vec<String>> {
    if value.is_null() {
        return Some(Vec::new());
    }
    value.items().iter().map(|v| v.to_text()).collect()
}

/// Whether an action pattern with `*` wildcards covers `action` (case-insensitive).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let action = action.to_ascii_lowercase();
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = action.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    if parts.is_empty() {
        return rest.is_empty();
    }
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Labels on the principal when it is a declared identity: who receives the role, and where
/// that workload or identity is declared, which may be another file (a linked template, another
/// file of the module) than the assignment.
pub fn principal_labels(model: &Model, assignment: &RoleAssignment) -> Vec<Label> {
    let (resource, message) = match assignment.principal {
        Principal::SystemAssigned(r) => (model.resource(r), "the system-assigned identity of"),
        Principal::UserAssigned(r) => (model.resource(r), "user-assigned identity"),
        Principal::Other => return Vec::new(),
    };
    vec![
        Label::new(
            assignment.principal_value.span,
            format!("{message} `{}`", resource.address),
        ),
        Label::new(
            resource.span,
            format!("`{}` is declared here", resource.address),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::action_matches;

    #[test]
    fn wildcards() {
        assert!(action_matches(
            "*",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(action_matches(
            "Microsoft.Authorization/*",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(action_matches(
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(action_matches(
            "*/write",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(!action_matches(
            "Microsoft.Storage/*",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(!action_matches(
            "Microsoft.Authorization/*/read",
            "Microsoft.Authorization/roleAssignments/write"
        ));
    }
}
