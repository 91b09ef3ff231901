//! One model of what a configuration declares, whichever front end read it. Rules query this
//! model and never the syntax it came from.

pub mod scope;
pub mod value;
pub mod workload;

pub use scope::ScopeKind;
pub use value::{Entry, Part, Ref, SizeBudget, Value, ValueKind, last_of_each_key};

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::data::BuiltinRole;
use crate::span::Span;

pub type ResourceId = usize;

/// Which front end declared something; rules use it to pick attribute names and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frontend {
    Terraform,
    Arm,
}

/// Everything one configuration declares: a Terraform root module with the local modules it
/// calls, or one ARM template with its nested deployments.
#[derive(Debug)]
pub struct Model {
    pub frontend: Frontend,
    pub resources: Vec<Resource>,
    pub workloads: Vec<Workload>,
    pub identities: Vec<UserAssignedIdentity>,
    pub attachments: Vec<Attachment>,
    /// Resources (workloads or not) whose user-assigned identities could not be resolved: an
    /// identity list built from an unknown value, a `dynamic "identity"` block over an unknown
    /// collection. Any declared identity may be among them.
    pub unresolved_attachments: Vec<ResourceId>,
    pub role_assignments: Vec<RoleAssignment>,
    pub role_definitions: Vec<RoleDefinition>,
    pub key_vaults: Vec<KeyVault>,
    pub access_policies: Vec<AccessPolicy>,
    pub federated_credentials: Vec<FederatedCredential>,
    pub settings: Vec<Setting>,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Output>,
    pub providers: Vec<Provider>,
    /// Built on the first lookup, when the model is complete: the rules look up each
    /// identity's workloads and each principal's grants, which scanned every workload and
    /// assignment once per lookup (minutes for 20,000 identities).
    index: OnceLock<Index>,
}

/// Positions in a model's lists, by the resource they describe or the principal they grant.
#[derive(Debug, Default)]
struct Index {
    workload: HashMap<ResourceId, usize>,
    identity: HashMap<ResourceId, usize>,
    role_definition: HashMap<ResourceId, usize>,
    key_vault: HashMap<ResourceId, usize>,
    /// Workloads by the user-assigned identity (its resource) they attach.
    attaching: HashMap<ResourceId, Vec<usize>>,
    assigned: HashMap<Principal, Vec<usize>>,
}

impl Index {
    fn of(model: &Model) -> Index {
        fn first_of(ids: impl Iterator<Item = ResourceId>) -> HashMap<ResourceId, usize> {
            let mut map = HashMap::new();
            for (i, id) in ids.enumerate() {
                map.entry(id).or_insert(i);
            }
            map
        }
        let mut attaching: HashMap<ResourceId, Vec<usize>> = HashMap::new();
        for (i, workload) in model.workloads.iter().enumerate() {
            let mut targets: Vec<ResourceId> = workload
                .identity
                .user_assigned
                .iter()
                .filter_map(|id| id.target)
                .collect();
            targets.sort_unstable();
            targets.dedup();
            for target in targets {
                attaching.entry(target).or_default().push(i);
            }
        }
        let mut assigned: HashMap<Principal, Vec<usize>> = HashMap::new();
        for (i, assignment) in model.role_assignments.iter().enumerate() {
            assigned.entry(assignment.principal).or_default().push(i);
        }
        Index {
            workload: first_of(model.workloads.iter().map(|w| w.resource)),
            identity: first_of(model.identities.iter().map(|i| i.resource)),
            role_definition: first_of(model.role_definitions.iter().map(|d| d.resource)),
            key_vault: first_of(model.key_vaults.iter().map(|v| v.resource)),
            attaching,
            assigned,
        }
    }
}

impl Model {
    pub fn new(frontend: Frontend) -> Model {
        Model {
            frontend,
            resources: Vec::new(),
            workloads: Vec::new(),
            identities: Vec::new(),
            attachments: Vec::new(),
            unresolved_attachments: Vec::new(),
            role_assignments: Vec::new(),
            role_definitions: Vec::new(),
            key_vaults: Vec::new(),
            access_policies: Vec::new(),
            federated_credentials: Vec::new(),
            settings: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            providers: Vec::new(),
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::of(self))
    }

    pub fn resource(&self, id: ResourceId) -> &Resource {
        &self.resources[id]
    }

    pub fn workload_of(&self, resource: ResourceId) -> Option<&Workload> {
        self.index()
            .workload
            .get(&resource)
            .and_then(|&i| self.workloads.get(i))
    }

    pub fn identity_of(&self, resource: ResourceId) -> Option<&UserAssignedIdentity> {
        self.index()
            .identity
            .get(&resource)
            .and_then(|&i| self.identities.get(i))
    }

    pub fn role_definition_of(&self, resource: ResourceId) -> Option<&RoleDefinition> {
        self.index()
            .role_definition
            .get(&resource)
            .and_then(|&i| self.role_definitions.get(i))
    }

    pub fn key_vault_of(&self, resource: ResourceId) -> Option<&KeyVault> {
        self.index()
            .key_vault
            .get(&resource)
            .and_then(|&i| self.key_vaults.get(i))
    }

    /// The workloads that attach the user-assigned identity declared by `identity`.
    pub fn workloads_attaching(&self, identity: ResourceId) -> impl Iterator<Item = &Workload> {
        let found = self
            .index()
            .attaching
            .get(&identity)
            .map_or(&[][..], Vec::as_slice);
        found.iter().filter_map(|&i| self.workloads.get(i))
    }

    /// The role assignments whose principal is `principal`.
    pub fn assignments_to(&self, principal: Principal) -> impl Iterator<Item = &RoleAssignment> {
        let found = self
            .index()
            .assigned
            .get(&principal)
            .map_or(&[][..], Vec::as_slice);
        found.iter().filter_map(|&i| self.role_assignments.get(i))
    }
}

/// A declared resource, data source or ARM resource, with its resolved body.
#[derive(Debug)]
pub struct Resource {
    /// `azurerm_linux_web_app`, `Microsoft.Web/sites`.
    pub resource_type: String,
    /// Terraform address (`module.app.azurerm_linux_web_app.api["eu"]`) or ARM symbolic name or
    /// JSON path (`resources[3]`); stable across line moves, used in fingerprints.
    pub address: String,
    /// The resource's name, as configured.
    pub name: Value,
    /// The name as written, when it is an ARM expression whose value is not known
    /// (`[parameters('storageAccountName')]`): what names the resource in messages then.
    pub name_written: Option<String>,
    pub mode: ResourceMode,
    /// The block header (Terraform) or the resource's `type` property (ARM).
    pub span: Span,
    /// The resolved body: attributes and blocks (Terraform) or properties (ARM); blocks are lists
    /// of maps.
    pub body: Value,
    /// The resource group it is deployed to, when known.
    pub resource_group: Option<Value>,
    /// The module calls (Terraform) or nested deployments (ARM) that lead to this resource,
    /// outermost first.
    pub call_path: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceMode {
    Managed,
    /// A Terraform data source or an ARM `existing` resource.
    Existing,
}

impl Resource {
    pub fn is_type(&self, resource_type: &str) -> bool {
        self.resource_type.eq_ignore_ascii_case(resource_type)
    }
}

/// An address (or an anchor that contains one) within the file or module that declares the
/// resource, without the module calls (Terraform `module.app.`, `module.app["eu"].`) or linked
/// deployments (ARM `resources[0].properties.templateLink.`) that lead to it: the same whether
/// the file is checked through its callers or named alone. (An inline nested template's path
/// stays: it is within the same file.)
pub fn local_address(address: &str) -> &str {
    if let Some((_, local)) = address.rsplit_once(".properties.templateLink.") {
        return local;
    }
    let mut rest = address;
    while let Some(call) = rest.strip_prefix("module.") {
        let name_end = call
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(call.len());
        let after_name = &call[name_end..];
        let after_call = match after_name.strip_prefix('[') {
            Some(key) => key.find("].").map(|end| &key[end + 1..]),
            None => Some(after_name),
        };
        match after_call.and_then(|after| after.strip_prefix('.')) {
            Some(next) if name_end > 0 => rest = next,
            _ => break,
        }
    }
    rest
}

/// What a workload is, for the wording and the per-kind checks of rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    WebApp,
    FunctionApp,
    LogicApp,
    ContainerApp,
    ContainerAppJob,
    ContainerGroup,
    Kubernetes,
    DataFactory,
    ApiManagement,
    Automation,
    SpringApp,
    Synapse,
    VirtualMachine,
    Other,
}

/// A compute resource that runs code and can carry a managed identity.
#[derive(Debug)]
pub struct Workload {
    pub resource: ResourceId,
    pub kind: WorkloadKind,
    /// True for the kinds SPEC's AZ201 covers: they call other Azure services.
    pub calls_azure: bool,
    pub identity: IdentityDecl,
}

/// A workload's `identity` block or property.
#[derive(Debug, Clone, Default)]
pub struct IdentityDecl {
    /// The block or property; `None` when the workload has none.
    pub span: Option<Span>,
    /// The `type` value as written.
    pub kind: Option<Value>,
    /// Whether a system-assigned identity is enabled: `None` when the type is unknown.
    pub system_assigned: Option<bool>,
    pub user_assigned: Vec<IdentityRef>,
}

impl IdentityDecl {
    /// `Some(false)` when the workload certainly has no identity, `None` when unknown.
    pub fn has_any(&self) -> Option<bool> {
        if !self.user_assigned.is_empty() || self.declares_user_assigned() {
            return Some(true);
        }
        if self.span.is_none() {
            return Some(false);
        }
        self.system_assigned
    }

    /// Whether the identity type names a user-assigned identity. The workload then has one even
    /// when the identity list did not resolve (built by a template expression, a module
    /// parameter): the platform rejects `UserAssigned` without identities.
    fn declares_user_assigned(&self) -> bool {
        self.kind
            .as_ref()
            .and_then(|kind| kind.as_str())
            .is_some_and(|kind| {
                kind.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case("UserAssigned"))
            })
    }
}

/// A user-assigned identity id attached to a workload.
#[derive(Debug, Clone)]
pub struct IdentityRef {
    pub value: Value,
    /// The declared identity it names, when resolved.
    pub target: Option<ResourceId>,
}

/// `azurerm_user_assigned_identity`, `Microsoft.ManagedIdentity/userAssignedIdentities`.
#[derive(Debug)]
pub struct UserAssignedIdentity {
    pub resource: ResourceId,
}

/// A user-assigned identity attached by a resource that is not a workload: an Application
/// Gateway, a deployment script, a firewall policy, a storage account's customer-managed key.
#[derive(Debug)]
pub struct Attachment {
    pub resource: ResourceId,
    pub identity: IdentityRef,
}

/// Who a role assignment or access policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    /// The system-assigned identity of this workload resource.
    SystemAssigned(ResourceId),
    /// The user-assigned identity declared by this resource.
    UserAssigned(ResourceId),
    /// A literal object id, a variable, a data source: someone not declared here.
    Other,
}

#[derive(Debug)]
pub struct RoleAssignment {
    pub resource: ResourceId,
    pub principal: Principal,
    pub principal_value: Value,
    /// The role as written: `role_definition_name`/`role_definition_id`, `roleDefinitionId`.
    pub role_value: Value,
    pub role: Role,
    pub scope_value: Value,
    pub scope: ScopeKind,
}

#[derive(Debug, Clone, Copy)]
pub enum Role {
    BuiltIn(&'static BuiltinRole),
    /// A role definition declared in the configuration (index into `Model::role_definitions`).
    Custom(usize),
    Unknown,
}

#[derive(Debug)]
pub struct RoleDefinition {
    pub resource: ResourceId,
    pub name: Value,
    pub permissions: Vec<Permissions>,
    pub assignable_scopes: Value,
}

/// One `permissions` block.
#[derive(Debug, Clone)]
pub struct Permissions {
    pub span: Span,
    pub actions: Value,
    pub not_actions: Value,
    pub data_actions: Value,
    pub not_data_actions: Value,
}

#[derive(Debug)]
pub struct KeyVault {
    pub resource: ResourceId,
    /// `enable_rbac_authorization` / `rbac_authorization_enabled` / `enableRbacAuthorization`;
    /// `None` when not written (the provider default applies).
    pub rbac_authorization: Option<Value>,
}

/// An access policy, inline in a vault or a separate resource.
#[derive(Debug)]
pub struct AccessPolicy {
    pub span: Span,
    /// The vault it belongs to, when resolved.
    pub vault: Option<ResourceId>,
    pub principal: Principal,
    pub object_id: Value,
    pub secret_permissions: Value,
    pub key_permissions: Value,
    pub certificate_permissions: Value,
    pub storage_permissions: Value,
}

#[derive(Debug)]
pub struct FederatedCredential {
    pub resource: ResourceId,
    /// The user-assigned identity it federates, when resolved.
    pub identity: Option<ResourceId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    AppSetting,
    ConnectionString,
    /// A container's environment variable.
    Environment,
    /// A function app's `storage_account_access_key` or `storage_connection_string`.
    StorageKey,
}

/// A setting a workload runs with: an app setting, connection string or environment variable.
#[derive(Debug)]
pub struct Setting {
    pub resource: ResourceId,
    pub kind: SettingKind,
    pub name: String,
    /// The whole setting (map entry, block or JSON object), when written in source.
    pub span: Span,
    pub value: Value,
    /// For container env: the value is a reference to a secret (`secret_name`, `secureValue`,
    /// `secretRef`) rather than a plain value.
    pub secret_reference: bool,
}

/// A Terraform `variable` or an ARM parameter.
#[derive(Debug)]
pub struct Input {
    pub name: String,
    /// The block header or the parameter's name.
    pub span: Span,
    /// `sensitive = true`, or an ARM `securestring`/`secureObject`.
    pub sensitive: bool,
    /// The `type` as written, when it is.
    pub type_value: Option<Value>,
    /// The default as written, when present.
    pub default: Option<Value>,
    pub call_path: Vec<Span>,
}

#[derive(Debug)]
pub struct Output {
    pub name: String,
    pub span: Span,
    pub sensitive: bool,
    pub value: Value,
    /// Whether the value is wrapped in `nonsensitive(...)`.
    pub nonsensitive: bool,
    /// The inputs the value is built from, as names (secure or sensitive ones matter).
    pub inputs: Vec<String>,
    pub call_path: Vec<Span>,
}

/// A Terraform `provider` block, or a Terraform `backend`.
#[derive(Debug)]
pub struct Provider {
    pub name: String,
    pub span: Span,
    pub body: Value,
    pub call_path: Vec<Span>,
}
