//! Reference data embedded at build time from `data/` (regenerate with `scripts/gen-data.py`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

#[derive(Debug)]
pub struct BuiltinRole {
    pub id: &'static str,
    pub name: &'static str,
    /// Microsoft's privileged category, `*` actions or role-assignment writes (see SOURCES.md).
    pub privileged: bool,
    /// The role grants data actions (Key Vault Secrets User, Storage Blob Data Reader, ...).
    pub data_plane: bool,
}

fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
}

static ROLES: LazyLock<Vec<BuiltinRole>> = LazyLock::new(|| {
    rows(include_str!("../data/builtin-roles.tsv"))
        .map(|r| BuiltinRole {
            id: r[0],
            name: r[1],
            privileged: r[2] == "1",
            data_plane: r[3] == "1",
        })
        .collect()
});

static ROLES_BY_KEY: LazyLock<HashMap<String, usize>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (i, role) in ROLES.iter().enumerate() {
        map.insert(role.name.to_ascii_lowercase(), i);
        map.insert(role.id.to_ascii_lowercase(), i);
    }
    map
});

/// A built-in role by its name (case-insensitive).
pub fn builtin_role_by_name(name: &str) -> Option<&'static BuiltinRole> {
    ROLES_BY_KEY
        .get(&name.trim().to_ascii_lowercase())
        .map(|&i| &ROLES[i])
        .filter(|r| !looks_like_guid(name.trim()) || r.id.eq_ignore_ascii_case(name.trim()))
}

/// A built-in role by its GUID, or by a role definition id that ends in the GUID
/// (`/subscriptions/.../providers/Microsoft.Authorization/roleDefinitions/<guid>`).
pub fn builtin_role_by_id(id: &str) -> Option<&'static BuiltinRole> {
    let guid = id.trim().rsplit('/').next()?;
    looks_like_guid(guid)
        .then(|| ROLES_BY_KEY.get(&guid.to_ascii_lowercase()))
        .flatten()
        .map(|&i| &ROLES[i])
}

pub fn looks_like_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

static AZURERM_SECRETS: LazyLock<HashSet<(&'static str, &'static str, bool)>> =
    LazyLock::new(|| {
        rows(include_str!("../data/azurerm-secret-attributes.tsv"))
            .map(|r| (r[0], r[2], r[1] == "data_source"))
            .collect()
    });

/// Whether `attribute` (a dotted path without indexes: `primary_access_key`,
/// `kube_config.client_key`) of an azurerm resource or data source holds a credential.
pub fn is_azurerm_secret_attribute(
    resource_type: &str,
    attribute: &str,
    data_source: bool,
) -> bool {
    AZURERM_SECRETS.contains(&(resource_type, attribute, data_source))
}

static AZURERM_IDENTITY_TYPES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    rows(include_str!("../data/azurerm-identity-resources.tsv"))
        .map(|r| r[0])
        .collect()
});

/// Whether the azurerm resource type takes an `identity` block.
pub fn azurerm_supports_identity(resource_type: &str) -> bool {
    AZURERM_IDENTITY_TYPES.contains(resource_type)
}

static ARM_IDENTITY_TYPES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    rows(include_str!("../data/arm-identity-resource-types.tsv"))
        .map(|r| r[0].to_ascii_lowercase())
        .collect()
});

/// Whether the ARM resource type has an `identity` property.
pub fn arm_supports_identity(resource_type: &str) -> bool {
    ARM_IDENTITY_TYPES.contains(&resource_type.to_ascii_lowercase())
}

static ARM_SECRET_LIST_FUNCTIONS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    rows(include_str!("../data/arm-secret-list-functions.tsv"))
        .map(|r| r[0])
        .collect()
});

/// Whether an ARM `list*` function returns secrets for some resource type (`listKeys`,
/// `listConnectionStrings`, `listAccountSas`, ...).
pub fn is_arm_secret_list_function(name: &str) -> bool {
    ARM_SECRET_LIST_FUNCTIONS.contains(name.to_ascii_lowercase().as_str())
}

/// The rows of a table of ARM resource types (lower case) and property paths.
fn type_paths(text: &'static str) -> HashSet<(String, &'static str)> {
    rows(text)
        .map(|r| (r[0].to_ascii_lowercase(), r[1]))
        .collect()
}

static ARM_REFERENCE_SECRETS: LazyLock<HashSet<(String, &'static str)>> =
    LazyLock::new(|| type_paths(include_str!("../data/arm-reference-secret-properties.tsv")));

/// Whether a read-only property that `reference()` returns for the type is a secret
/// (`properties.ConnectionString` of `Microsoft.Insights/components`).
pub fn is_arm_reference_secret(resource_type: &str, path: &str) -> bool {
    ARM_REFERENCE_SECRETS.contains(&(resource_type.to_ascii_lowercase(), path))
}

static ARM_SECRET_ARGUMENTS: LazyLock<HashSet<(String, &'static str)>> =
    LazyLock::new(|| type_paths(include_str!("../data/arm-secret-arguments.tsv")));

/// Whether a property of an ARM resource takes a credential whatever it is named (a container
/// app's `properties.configuration.secrets.value`); `path` is dotted, without indexes.
pub fn is_arm_secret_argument(resource_type: &str, path: &str) -> bool {
    ARM_SECRET_ARGUMENTS.contains(&(resource_type.to_ascii_lowercase(), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_by_name_and_id() {
        let owner = builtin_role_by_name("owner").unwrap();
        assert_eq!(owner.id, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
        assert!(owner.privileged);
        let by_id = builtin_role_by_id(
            "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        )
        .unwrap();
        assert_eq!(by_id.name, "Owner");
        assert!(!builtin_role_by_name("Reader").unwrap().privileged);
        assert!(
            builtin_role_by_name("Key Vault Secrets User")
                .unwrap()
                .data_plane
        );
        assert!(builtin_role_by_name("No Such Role").is_none());
    }

    #[test]
    fn secret_tables() {
        assert!(is_azurerm_secret_attribute(
            "azurerm_storage_account",
            "primary_access_key",
            false
        ));
        assert!(!is_azurerm_secret_attribute(
            "azurerm_storage_account",
            "name",
            false
        ));
        assert!(azurerm_supports_identity("azurerm_linux_web_app"));
        assert!(arm_supports_identity("microsoft.web/sites"));
        assert!(is_arm_secret_list_function("listKeys"));
        assert!(is_arm_secret_argument(
            "Microsoft.App/containerApps",
            "properties.configuration.secrets.value"
        ));
        assert!(!is_arm_secret_argument(
            "Microsoft.App/containerApps",
            "properties.configuration.secrets.name"
        ));
    }
}
