//! The kind of an Azure scope, read from a resource id that may be only partly known.

use crate::model::value::{Value, ValueKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScopeKind {
    /// `/`: the tenant root.
    Root,
    ManagementGroup,
    Subscription,
    ResourceGroup,
    Resource,
    Unknown,
}

impl ScopeKind {
    pub fn describe(self) -> &'static str {
        match self {
            ScopeKind::Root => "the tenant root scope `/`",
            ScopeKind::ManagementGroup => "management-group scope",
            ScopeKind::Subscription => "subscription scope",
            ScopeKind::ResourceGroup => "resource-group scope",
            ScopeKind::Resource => "resource scope",
            ScopeKind::Unknown => "an unknown scope",
        }
    }

    /// Root, management group or subscription.
    pub fn is_broad(self) -> bool {
        matches!(
            self,
            ScopeKind::Root | ScopeKind::ManagementGroup | ScopeKind::Subscription
        )
    }

    /// The scope kind of `value`: a known id, or a template whose fixed parts show the shape.
    pub fn of(value: &Value) -> ScopeKind {
        if let ValueKind::Unknown(_) | ValueKind::Ref(_) = value.kind {
            return ScopeKind::Unknown;
        }
        match value.text_with_holes("\u{0}") {
            Some(text) => ScopeKind::of_id(&text),
            None => ScopeKind::Unknown,
        }
    }

    /// The scope kind of a resource id in which `\0` marks an unknown segment. A hole that
    /// could span several segments makes the kind unknown unless the known segments decide it.
    pub fn of_id(id: &str) -> ScopeKind {
        let id = id.trim();
        if id == "/" {
            return ScopeKind::Root;
        }
        if !id.starts_with('/') {
            return ScopeKind::Unknown;
        }
        let segments: Vec<&str> = id.trim_end_matches('/').split('/').skip(1).collect();
        if segments.iter().any(|s| s.is_empty()) {
            return ScopeKind::Unknown;
        }
        let key = |i: usize| segments.get(i).map(|s| s.to_ascii_lowercase());
        match key(0).as_deref() {
            Some("subscriptions") => match segments.len() {
                2 => ScopeKind::Subscription,
                4 if key(2).as_deref() == Some("resourcegroups") => ScopeKind::ResourceGroup,
                n if n >= 6 && key(4).as_deref() == Some("providers") => ScopeKind::Resource,
                n if n >= 4 && key(2).as_deref() == Some("providers") => ScopeKind::Resource,
                _ => ScopeKind::Unknown,
            },
            Some("providers") => {
                if key(1).as_deref() == Some("microsoft.management")
                    && key(2).as_deref() == Some("managementgroups")
                {
                    match segments.len() {
                        4 => ScopeKind::ManagementGroup,
                        _ => ScopeKind::Resource,
                    }
                } else if segments.len() >= 3 {
                    ScopeKind::Resource
                } else {
                    ScopeKind::Unknown
                }
            }
            _ => ScopeKind::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ScopeKind::{self, *};

    #[test]
    fn kinds_from_ids() {
        let cases = [
            ("/", Root),
            ("/subscriptions/0000", Subscription),
            ("/subscriptions/\0", Subscription),
            ("/subscriptions/\0/resourceGroups/rg-\0", ResourceGroup),
            (
                "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Storage/storageAccounts/sa",
                Resource,
            ),
            (
                "/providers/Microsoft.Management/managementGroups/mg",
                ManagementGroup,
            ),
            (
                "/providers/Microsoft.Management/managementGroups/\0/providers/Microsoft.Authorization/x/y",
                Resource,
            ),
            ("rg-name", Unknown),
            ("\0", Unknown),
            ("/subscriptions//resourceGroups/x", Unknown),
        ];
        for (id, kind) in cases {
            assert_eq!(ScopeKind::of_id(id), kind, "{id:?}");
        }
    }
}
