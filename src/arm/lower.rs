//! One template (with its inline nested deployments) into a [`Model`].

use foldhash::{HashMap, HashSet};

use super::eval::{self, Declared, Env, Evaluator, Scope, Supplied, TextBuilder};
use super::expr::{self, Expr, StringForm};
use super::links::{self, LinkedTemplates};
use super::parse::{Json, JsonKind, Level, Member, schema_level};
use crate::model::workload::workload_kind;
use crate::model::{
    AccessPolicy, Attachment, FederatedCredential, IdentityDecl, IdentityRef, Input, KeyVault,
    Model, Output, Permissions, Principal, Resource, ResourceId, ResourceMode, Role,
    RoleAssignment, RoleDefinition, ScopeKind, Setting, SettingKind, UserAssignedIdentity, Value,
    ValueKind, Workload,
};
use crate::model::{Entry, Frontend};
use crate::span::{FileId, Span};

/// How a declared resource is evaluated.
struct Decl<'a> {
    json: &'a Json<'a>,
    env: Env,
    parent: Option<ResourceId>,
}

struct Lowering<'a, 't> {
    ev: Evaluator<'a>,
    model: Model,
    decls: Vec<Decl<'a>>,
    linked: &'a LinkedTemplates<'t>,
    linked_files: LinkedFiles,
    /// How many more resources the copy loops may declare; see `MAX_RESOURCES`.
    resources_left: usize,
    /// How many more bytes of resources copy loops may declare; see `MAX_LOOPED_BYTES`.
    looped_bytes_left: u64,
}

/// Past this many resources in one template (with those of its nested and linked deployments),
/// a copy loop declares one instance of unknown index: copy loops of deployments at every level
/// multiply (10 instances at 9 levels are 10^9 resources), as the limits of each loop and of
/// linked deployments do not stop. Every template is still declared, once on each way to it.
const MAX_RESOURCES: usize = 20_000;

/// Past this many bytes of resources declared by copy loops in one template, a copy loop
/// declares one instance of unknown index: a loop of 800 over a resource of 1 MB took 1.7 GB.
/// The corpus's most is 2.5 MB, but an Azure Verified Modules pattern calls modules of 3 MB in
/// copy loops, and 22 instances of one are 66 MB.
const MAX_LOOPED_BYTES: u64 = 256 << 20;

/// The template files that a template's linked deployments name.
#[derive(Debug, Default)]
pub struct LinkedFiles {
    /// The files of the deployments followed, one entry per deployment.
    pub followed: Vec<FileId>,
    /// The files of deployments not followed because `MAX_LINKED_DEPLOYMENTS` were, each once.
    pub cut: Vec<FileId>,
}

/// At most this many linked deployments are followed in one template: a template that links
/// the same file many times at every level would otherwise multiply its work.
const MAX_LINKED_DEPLOYMENTS: usize = 256;

/// Lowers the template `root` of `file`; `supplied` are parameter values from parameter files,
/// `linked` the templates its deployments may link. Returns the model and the files it linked.
pub fn lower<'a, 't: 'a>(
    file: FileId,
    root: &'a Json<'a>,
    level: Level,
    supplied: Vec<(String, Value)>,
    linked: &'a LinkedTemplates<'t>,
) -> (Model, LinkedFiles) {
    let mut scope = Scope::new(file, root, level);
    scope.supply(supplied);
    let mut lowering = Lowering {
        ev: Evaluator::new(vec![scope]),
        model: Model::new(Frontend::Arm),
        decls: Vec::new(),
        linked,
        linked_files: LinkedFiles::default(),
        resources_left: MAX_RESOURCES,
        looped_bytes_left: MAX_LOOPED_BYTES,
    };
    lowering.declare_scope(0, String::new());
    // Names were evaluated while the declarations were incomplete.
    lowering.ev.forget_declaration_reads();
    lowering.bodies();
    lowering.typed();
    lowering.inputs_and_outputs();
    let mut linked_files = lowering.linked_files;
    linked_files.cut.sort_unstable();
    linked_files.cut.dedup();
    (lowering.model, linked_files)
}

fn type_is(type_lower: &str, expected: &str) -> bool {
    type_lower.eq_ignore_ascii_case(expected)
}

impl<'a, 't: 'a> Lowering<'a, 't> {
    fn declare_scope(&mut self, scope: usize, prefix: String) {
        let template = self.ev.scopes[scope].template;
        let mut deployments = Vec::new();
        let base = Env::new(scope);
        if let Some(resources) = template.get("resources") {
            match &resources.kind {
                JsonKind::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let address = format!("{prefix}resources[{i}]");
                        self.declare(&base, item, address, None, None, &mut deployments);
                    }
                }
                JsonKind::Object(members) => {
                    for member in members {
                        let address = if prefix.is_empty() {
                            member.key.to_string()
                        } else {
                            format!("{prefix}resources.{}", member.key)
                        };
                        self.declare(
                            &base,
                            &member.value,
                            address,
                            None,
                            Some(member),
                            &mut deployments,
                        );
                    }
                }
                _ => {}
            }
        }
        let mut nested = Vec::new();
        for id in deployments {
            if let Some(inner) = self.nested_scope(scope, id) {
                self.ev.index.nested.insert(id, inner);
                nested.push((id, inner));
            }
        }
        for (id, inner) in nested {
            let link = if self.ev.scopes[inner].file == self.ev.scopes[scope].file {
                "template"
            } else {
                "templateLink"
            };
            let address = format!("{}.properties.{link}.", self.model.resources[id].address);
            self.declare_scope(inner, address);
        }
    }

    fn declare(
        &mut self,
        base: &Env,
        json: &'a Json<'a>,
        address: String,
        parent: Option<ResourceId>,
        symbolic: Option<&'a Member>,
        deployments: &mut Vec<ResourceId>,
    ) {
        if !json.is_object() {
            return;
        }
        let scope = base.scope;
        let type_json = json.get("type");
        let written_type = type_json
            .map(|t| self.ev.json(base, t).to_text().unwrap_or_default())
            .unwrap_or_default();
        let resource_type = match parent {
            Some(p) if !written_type.split('/').next().unwrap_or("").contains('.') => {
                format!("{}/{}", self.model.resources[p].resource_type, written_type)
            }
            _ => written_type,
        };
        let type_lower = resource_type.to_ascii_lowercase();
        let span = type_json
            .map(|t| t.span)
            .or(symbolic.map(|m| m.key_span))
            .unwrap_or(json.span);
        let instances: Vec<(Env, String)> = match json.get("copy").filter(|c| c.is_object()) {
            Some(copy) => {
                let name = copy
                    .get("name")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_string();
                let count = copy
                    .get("count")
                    .map(|c| self.ev.json(base, c))
                    .and_then(|c| eval::resource_count(&c));
                let bytes = json.span.len() as u64;
                match count {
                    Some(n)
                        if n as usize <= self.resources_left
                            && n as u64 * bytes <= self.looped_bytes_left =>
                    {
                        self.looped_bytes_left -= n as u64 * bytes;
                        (0..n)
                            .map(|i| {
                                (
                                    base.with_loop(&name, Some(i), true),
                                    format!("{address}[{i}]"),
                                )
                            })
                            .collect()
                    }
                    _ => vec![(base.with_loop(&name, None, true), address.clone())],
                }
            }
            None => vec![(base.clone(), address.clone())],
        };
        let existing = json.get("existing").and_then(Json::as_bool) == Some(true);
        let name_json = json.get("name");
        for (env, address) in instances {
            if self.is_switched_off(&env, json) {
                continue;
            }
            let own_name = name_json
                .map(|n| self.ev.json(&env, n))
                .unwrap_or_else(|| Value::unknown(span));
            let name = match parent {
                Some(p) if !own_name.as_str().is_some_and(|n| n.contains('/')) => {
                    let mut b = TextBuilder::default();
                    b.value(&self.model.resources[p].name);
                    b.text("/");
                    b.value(&own_name);
                    b.finish(own_name.span)
                }
                _ => own_name,
            };
            let s = &self.ev.scopes[scope];
            let resource_group =
                (s.level == Level::ResourceGroup).then(|| s.resource_group.used_at(span));
            let call_path = s.call_path.clone();
            self.resources_left = self.resources_left.saturating_sub(1);
            let id = self.ev.index.add(Declared {
                type_lower: type_lower.clone(),
                name_key: name.key(),
                scope,
            });
            if let Some(member) = symbolic {
                self.ev.scopes[scope]
                    .symbols
                    .entry(member.key.to_ascii_lowercase())
                    .or_insert(id);
            }
            let name_written = match (&name.kind, name_json.map(|n| &n.kind)) {
                (ValueKind::String(_), _) => None,
                (_, Some(JsonKind::String(written))) => Some(written.to_string()),
                _ => None,
            };
            self.model.resources.push(Resource {
                resource_type: resource_type.clone(),
                address: address.clone(),
                name,
                name_written,
                mode: if existing {
                    ResourceMode::Existing
                } else {
                    ResourceMode::Managed
                },
                span,
                body: Value::new(ValueKind::Null, json.span),
                resource_group,
                call_path,
            });
            self.decls.push(Decl {
                json,
                env: env.clone(),
                parent,
            });
            if type_is(&type_lower, "microsoft.resources/deployments")
                && json.get("properties").is_some_and(|p| {
                    p.get("template").is_some_and(Json::is_object)
                        || p.get("templateLink").is_some()
                })
            {
                deployments.push(id);
            }
            if let Some(JsonKind::Array(children)) = json.get("resources").map(|r| &r.kind) {
                for (j, child) in children.iter().enumerate() {
                    let child_address = format!("{address}.resources[{j}]");
                    self.declare(&env, child, child_address, Some(id), None, deployments);
                }
            }
        }
    }

    /// The scope of the inline or linked template of the deployment `id`.
    fn nested_scope(&mut self, outer: usize, id: ResourceId) -> Option<usize> {
        let decl = &self.decls[id];
        let json = decl.json;
        let env = decl.env.clone();
        let properties = json.get("properties")?;
        let (file, template, inner_mode) =
            match properties.get("template").filter(|t| t.is_object()) {
                Some(template) => {
                    let inner_mode = properties
                        .get("expressionEvaluationOptions")
                        .and_then(|o| o.get("scope"))
                        .and_then(Json::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
                    (self.ev.scopes[outer].file, template, inner_mode)
                }
                // A linked template always has its own parameters and variables.
                None => {
                    let (file, template) = self.linked_template(outer, &env, properties)?;
                    (file, template, true)
                }
            };
        let parent = &self.ev.scopes[outer];
        let parent_level = parent.level;
        let subscription_json = json.get("subscriptionId");
        let group_json = json.get("resourceGroup");
        let subscription = subscription_json
            .map(|j| self.ev.json(&env, j))
            .unwrap_or_else(|| parent.subscription.clone());
        let resource_group = group_json
            .map(|j| self.ev.json(&env, j))
            .unwrap_or_else(|| parent.resource_group.clone());
        let scope_value = json.get("scope").map(|j| self.ev.json(&env, j));
        let management_group = scope_value
            .as_ref()
            .and_then(management_group_of)
            .unwrap_or_else(|| parent.management_group.clone());
        let schema = template
            .get("$schema")
            .and_then(Json::as_str)
            .and_then(schema_level);
        // The deployment's own targeting decides; the inner `$schema` breaks ties.
        let level = if group_json.is_some() {
            Level::ResourceGroup
        } else if subscription_json.is_some() {
            match (parent_level, schema) {
                (Level::ResourceGroup, Some(Level::ResourceGroup)) => Level::ResourceGroup,
                _ => Level::Subscription,
            }
        } else if let Some(scope_value) = &scope_value {
            if scope_value.as_str() == Some("/") {
                Level::Tenant
            } else if management_group_of(scope_value).is_some() {
                Level::ManagementGroup
            } else {
                schema.unwrap_or(parent_level)
            }
        } else {
            parent_level
        };
        let mut call_path = parent.call_path.clone();
        call_path.push(self.model.resources[id].span);
        let mut scope = Scope::new(file, template, level);
        scope.subscription = subscription;
        scope.resource_group = resource_group;
        scope.management_group = management_group;
        scope.call_path = call_path;
        if inner_mode {
            self.linked_parameters(&mut scope, outer, &env, properties);
            for member in properties
                .get("parameters")
                .map(Json::members)
                .unwrap_or(&[])
            {
                let key = member.key.to_ascii_lowercase();
                if let Some(value) = member.value.get("value") {
                    scope
                        .supplied
                        .insert(key, Supplied::Outer(env.clone(), value));
                } else if member.value.get("reference").is_some() {
                    let text = format!("parameters('{}')", member.key);
                    scope
                        .supplied
                        .insert(key, Supplied::Value(eval::hole(&text, member.value.span)));
                }
            }
        } else {
            scope.names_from = Some(outer);
        }
        self.ev.scopes.push(scope);
        Some(self.ev.scopes.len() - 1)
    }

    /// The values of the parameter file that a deployment's `parametersLink` names, supplied to
    /// `scope`. A file that is not in the scan (a URL elsewhere) leaves every parameter of the
    /// template unknown: its defaults are not what the deployment uses.
    fn linked_parameters(
        &self,
        scope: &mut Scope<'a>,
        outer: usize,
        env: &Env,
        properties: &'a Json<'a>,
    ) {
        let Some(link) = properties.get("parametersLink") else {
            return;
        };
        let uri = link.get("uri").map(|j| self.ev.json(env, j));
        let target = links::link_target(None, uri.as_ref());
        let from = self.ev.scopes[outer].file;
        match target.and_then(|target| self.linked.parameters(from, &target)) {
            Some(values) => scope.supply(values.iter().cloned()),
            None => {
                for (key, member) in &scope.params {
                    let text = format!("parameters('{}')", member.key);
                    let value = Supplied::Value(eval::hole(&text, link.span));
                    scope.supplied.insert(key.clone(), value);
                }
            }
        }
    }

    /// The template file that a deployment's `templateLink` names, unless it is already on the
    /// way here or the template has followed too many, which notes it as cut.
    fn linked_template(
        &mut self,
        outer: usize,
        env: &Env,
        properties: &'a Json<'a>,
    ) -> Option<(FileId, &'a Json<'a>)> {
        let link = properties.get("templateLink")?;
        let relative_path = link.get("relativePath").map(|j| self.ev.json(env, j));
        let uri = link.get("uri").map(|j| self.ev.json(env, j));
        let target = links::link_target(relative_path.as_ref(), uri.as_ref())?;
        let scope = &self.ev.scopes[outer];
        let (file, template) = self.linked.get(scope.file, &target)?;
        // Not into a file on the way here: the deployments that lead here sit in those files.
        if file == scope.file || scope.call_path.iter().any(|span| span.file == file) {
            return None;
        }
        if self.linked_files.followed.len() >= MAX_LINKED_DEPLOYMENTS {
            self.linked_files.cut.push(file);
            return None;
        }
        self.linked_files.followed.push(file);
        Some((file, template))
    }

    fn bodies(&mut self) {
        for (i, decl) in self.decls.iter().enumerate() {
            let json = decl.json;
            let deployment = type_is(
                &self.ev.index.resources[i].type_lower,
                "microsoft.resources/deployments",
            );
            let mut body = self.ev.object(&decl.env, json, &|key| {
                key.eq_ignore_ascii_case("resources")
                    || (deployment && key.eq_ignore_ascii_case("properties"))
            });
            if deployment && let Some(member) = json.member("properties") {
                if let Some(&inner) = self.ev.index.nested.get(&i)
                    && let Some(parameters) = member.value.get("parameters")
                {
                    self.ev.know_supplied(inner, parameters);
                }
                let properties = self.ev.object(&decl.env, &member.value, &|key| {
                    key.eq_ignore_ascii_case("template")
                });
                self.ev.forget_known();
                if let ValueKind::Map(entries) = &mut body.kind {
                    entries.push(Entry {
                        key: member.key.to_string(),
                        span: Some(member.span),
                        value: properties,
                    });
                }
            }
            self.model.resources[i].body = body;
        }
    }

    /// Whether the `condition` of a resource or output is known to be false: the resource is then
    /// not deployed and the output not returned, as a Terraform resource with `count = 0` has no
    /// instance. Unknown, it is deployed.
    fn is_switched_off(&self, env: &Env, json: &Json) -> bool {
        json.get("condition")
            .is_some_and(|c| self.ev.json(env, c).as_bool() == Some(false))
    }

    fn type_of(&self, id: ResourceId) -> &str {
        self.ev.index.type_of(id)
    }

    /// The parent of a child resource: declared around it, or named by its type and name.
    fn parent_of(&self, id: ResourceId) -> Option<ResourceId> {
        if let Some(parent) = self.decls[id].parent {
            return Some(parent);
        }
        let declared = &self.ev.index.resources[id];
        let (parent_type, _) = declared.type_lower.rsplit_once('/')?;
        let (parent_name, _) = declared.name_key.as_deref()?.rsplit_once('/')?;
        self.ev.index.lookup(parent_type, parent_name)
    }

    fn principal_of(&self, value: &Value) -> Principal {
        let ValueKind::Ref(r) = &value.kind else {
            return Principal::Other;
        };
        let Some(target) = r.resource else {
            return Principal::Other;
        };
        let identity = type_is(
            self.type_of(target),
            "microsoft.managedidentity/userassignedidentities",
        );
        let attribute = r.attribute.to_ascii_lowercase();
        match attribute.as_str() {
            "principalid" | "properties.principalid" if identity => Principal::UserAssigned(target),
            "identity.principalid" if !identity => Principal::SystemAssigned(target),
            _ => Principal::Other,
        }
    }

    fn typed(&mut self) {
        let count = self.model.resources.len();
        let mut role_definition_index: HashMap<ResourceId, usize> = HashMap::default();
        for id in 0..count {
            let type_lower = self.type_of(id).to_string();
            let managed = self.model.resources[id].mode == ResourceMode::Managed;
            let body = &self.model.resources[id].body;
            let properties = body.get("properties");
            let empty = |span: Span| Value::new(ValueKind::List(Vec::new()), span);
            let kind_text = body.get("kind").and_then(Value::to_text);
            if managed
                && let Some((kind, calls_azure)) = workload_kind(
                    &self.model.resources[id].resource_type,
                    kind_text.as_deref(),
                )
            {
                let identity = self.identity_decl(id);
                self.model.workloads.push(Workload {
                    resource: id,
                    kind,
                    calls_azure,
                    identity,
                });
            } else if managed {
                for identity in self.identity_decl(id).user_assigned {
                    self.model.attachments.push(Attachment {
                        resource: id,
                        identity,
                    });
                }
            }
            let unresolved = |v: &Value| !v.is_null() && !matches!(v.kind, ValueKind::Map(_));
            if managed
                && body.get("identity").is_some_and(|identity| {
                    unresolved(identity)
                        || identity
                            .get("userAssignedIdentities")
                            .is_some_and(unresolved)
                })
            {
                self.model.unresolved_attachments.push(id);
            }
            match type_lower.as_str() {
                "microsoft.managedidentity/userassignedidentities" if managed => {
                    self.model
                        .identities
                        .push(UserAssignedIdentity { resource: id });
                }
                "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials" => {
                    let identity = self.parent_of(id);
                    self.model.federated_credentials.push(FederatedCredential {
                        resource: id,
                        identity,
                    });
                }
                "microsoft.authorization/roledefinitions" if managed => {
                    let span = self.model.resources[id].span;
                    let unknown = Value::unknown(span);
                    let props = properties.unwrap_or(&unknown);
                    let permissions = props
                        .get("permissions")
                        .map(|p| p.items().to_vec())
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|p| matches!(p.kind, ValueKind::Map(_)))
                        .map(|p| Permissions {
                            span: p.span,
                            actions: p.get("actions").cloned().unwrap_or_else(|| empty(p.span)),
                            not_actions: p
                                .get("notActions")
                                .cloned()
                                .unwrap_or_else(|| empty(p.span)),
                            data_actions: p
                                .get("dataActions")
                                .cloned()
                                .unwrap_or_else(|| empty(p.span)),
                            not_data_actions: p
                                .get("notDataActions")
                                .cloned()
                                .unwrap_or_else(|| empty(p.span)),
                        })
                        .collect();
                    role_definition_index.insert(id, self.model.role_definitions.len());
                    self.model.role_definitions.push(RoleDefinition {
                        resource: id,
                        name: props
                            .get("roleName")
                            .cloned()
                            .unwrap_or_else(|| Value::new(ValueKind::Null, span)),
                        permissions,
                        assignable_scopes: props
                            .get("assignableScopes")
                            .cloned()
                            .unwrap_or_else(|| empty(span)),
                    });
                }
                "microsoft.keyvault/vaults" if managed => {
                    let rbac = properties
                        .and_then(|p| p.get("enableRbacAuthorization"))
                        .cloned();
                    self.model.key_vaults.push(KeyVault {
                        resource: id,
                        rbac_authorization: rbac,
                    });
                    let policies = self.access_policies(Some(id), properties);
                    self.model.access_policies.extend(policies);
                }
                "microsoft.keyvault/vaults/accesspolicies" => {
                    let policies = self.access_policies(self.parent_of(id), properties);
                    self.model.access_policies.extend(policies);
                }
                _ => {}
            }
            let settings = self.settings(id, &type_lower, properties);
            self.model.settings.extend(settings);
        }
        for id in 0..count {
            let type_lower = self.type_of(id);
            if type_is(type_lower, "microsoft.authorization/roleassignments")
                || type_lower.ends_with("/providers/roleassignments")
            {
                self.role_assignment(id, &role_definition_index);
            }
        }
    }

    fn identity_decl(&self, id: ResourceId) -> IdentityDecl {
        let resource = &self.model.resources[id];
        let Some(entry) = resource.body.entry("identity") else {
            return IdentityDecl::default();
        };
        if entry.value.is_null() {
            return IdentityDecl::default();
        }
        let kind = entry.value.get("type").cloned();
        let system_assigned = match &kind {
            Some(k) => match k.to_text().map(|t| t.to_ascii_lowercase().replace(' ', "")) {
                Some(t) if t.contains("systemassigned") => Some(true),
                Some(t) if t == "none" || t == "userassigned" => Some(false),
                _ => None,
            },
            None if entry.value.is_known() => Some(false),
            None => None,
        };
        let scope = self.decls[id].env.scope;
        let user_assigned = entry
            .value
            .get("userAssignedIdentities")
            .map(|u| u.entries().to_vec())
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                let span = e.span.unwrap_or(e.value.span);
                let value = match expr::classify(&e.key) {
                    StringForm::Expression(_) => self.ev.string(&self.decls[id].env, &e.key, span),
                    _ => Value::string(e.key.clone(), span),
                };
                let target = self.ev.target_of(scope, &value).filter(|t| {
                    type_is(
                        self.type_of(*t),
                        "microsoft.managedidentity/userassignedidentities",
                    )
                });
                IdentityRef { value, target }
            })
            .collect();
        IdentityDecl {
            span: Some(entry.span.unwrap_or(entry.value.span)),
            kind,
            system_assigned,
            user_assigned,
        }
    }

    /// The access policies a vault's `properties` grant; the caller adds them to the model, as
    /// the properties are borrowed from it.
    fn access_policies(
        &self,
        vault: Option<ResourceId>,
        properties: Option<&Value>,
    ) -> Vec<AccessPolicy> {
        let mut out = Vec::new();
        let Some(policies) = properties.and_then(|p| p.get("accessPolicies")) else {
            return out;
        };
        let ValueKind::List(items) = &policies.kind else {
            return out;
        };
        for item in items {
            if !matches!(item.kind, ValueKind::Map(_)) {
                continue;
            }
            let span = item.span;
            let object_id = item
                .get("objectId")
                .cloned()
                .unwrap_or_else(|| Value::new(ValueKind::Null, span));
            let permission = |key: &str| {
                item.get("permissions")
                    .and_then(|p| p.get(key))
                    .cloned()
                    .unwrap_or_else(|| Value::new(ValueKind::List(Vec::new()), span))
            };
            let policy = AccessPolicy {
                span,
                vault,
                principal: self.principal_of(&object_id),
                secret_permissions: permission("secrets"),
                key_permissions: permission("keys"),
                certificate_permissions: permission("certificates"),
                storage_permissions: permission("storage"),
                object_id,
            };
            out.push(policy);
        }
        out
    }

    /// The settings of resource `id`; the caller adds them to the model, as the properties are
    /// borrowed from it.
    fn settings(
        &self,
        id: ResourceId,
        type_lower: &str,
        properties: Option<&Value>,
    ) -> Vec<Setting> {
        let mut out = Vec::new();
        let Some(properties) = properties else {
            return out;
        };
        let text = |v: Option<&Value>| v.and_then(Value::to_text).unwrap_or_default();
        let null = |span: Span| Value::new(ValueKind::Null, span);
        match type_lower {
            "microsoft.web/sites" | "microsoft.web/sites/slots" => {
                let site_config = properties.get("siteConfig");
                for (key, kind, value_key) in [
                    ("appSettings", SettingKind::AppSetting, "value"),
                    (
                        "connectionStrings",
                        SettingKind::ConnectionString,
                        "connectionString",
                    ),
                ] {
                    let items = site_config.and_then(|c| c.get(key));
                    for item in items.map(Value::items).unwrap_or(&[]) {
                        if !matches!(item.kind, ValueKind::Map(_)) {
                            continue;
                        }
                        out.push(Setting {
                            resource: id,
                            kind,
                            name: text(item.get("name")),
                            span: item.span,
                            value: item
                                .get(value_key)
                                .cloned()
                                .unwrap_or_else(|| null(item.span)),
                            secret_reference: false,
                        });
                    }
                }
            }
            "microsoft.web/sites/config" | "microsoft.web/sites/slots/config" => {
                let name = self.model.resources[id]
                    .name
                    .text_with_holes("\0")
                    .unwrap_or_default();
                let last = name.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
                let kind = match last.as_str() {
                    "appsettings" => SettingKind::AppSetting,
                    "connectionstrings" => SettingKind::ConnectionString,
                    _ => return out,
                };
                let site = self.parent_of(id).unwrap_or(id);
                for entry in properties.entries() {
                    let value = match kind {
                        SettingKind::ConnectionString => entry
                            .value
                            .get("value")
                            .cloned()
                            .unwrap_or_else(|| entry.value.clone()),
                        _ => entry.value.clone(),
                    };
                    out.push(Setting {
                        resource: site,
                        kind,
                        name: entry.key.clone(),
                        span: entry.span.unwrap_or(entry.value.span),
                        value,
                        secret_reference: false,
                    });
                }
            }
            "microsoft.app/containerapps" | "microsoft.app/jobs" => {
                let containers = properties.get("template").and_then(|t| t.get("containers"));
                for container in containers.map(Value::items).unwrap_or(&[]) {
                    for var in container.get("env").map(Value::items).unwrap_or(&[]) {
                        out.extend(env_setting(id, var, "value", "secretRef"));
                    }
                }
            }
            "microsoft.containerinstance/containergroups" => {
                for container in properties
                    .get("containers")
                    .map(Value::items)
                    .unwrap_or(&[])
                {
                    let vars = container
                        .get("properties")
                        .and_then(|p| p.get("environmentVariables"));
                    for var in vars.map(Value::items).unwrap_or(&[]) {
                        out.extend(env_setting(id, var, "value", "secureValue"));
                    }
                }
            }
            _ => {}
        }
        out
    }

    fn role_assignment(&mut self, id: ResourceId, role_definitions: &HashMap<ResourceId, usize>) {
        let resource = &self.model.resources[id];
        let span = resource.span;
        let scope = self.decls[id].env.scope;
        let null = || Value::new(ValueKind::Null, span);
        let properties = resource.body.get("properties");
        let role_value = properties
            .and_then(|p| p.get("roleDefinitionId"))
            .cloned()
            .unwrap_or_else(null);
        let principal_value = properties
            .and_then(|p| p.get("principalId"))
            .cloned()
            .unwrap_or_else(null);
        let role = match role_value
            .text_with_holes("\0")
            .and_then(|t| crate::data::builtin_role_by_id(&t))
        {
            Some(builtin) => Role::BuiltIn(builtin),
            None => self
                .ev
                .target_of(scope, &role_value)
                .and_then(|t| role_definitions.get(&t))
                .map_or(Role::Unknown, |&i| Role::Custom(i)),
        };
        let scope_value = match resource.body.get("scope") {
            Some(v) => self.absolute_scope(scope, v),
            None if resource
                .resource_type
                .to_ascii_lowercase()
                .ends_with("/providers/roleassignments") =>
            {
                self.legacy_scope(id)
            }
            None => self.ev.deployment_scope_id(scope, span),
        };
        let scope_kind = ScopeKind::of(&scope_value);
        let principal = self.principal_of(&principal_value);
        self.model.role_assignments.push(RoleAssignment {
            resource: id,
            principal,
            principal_value,
            role_value,
            role,
            scope_value,
            scope: scope_kind,
        });
    }

    /// A `scope` as Bicep writes it (`Microsoft.KeyVault/vaults/kv`) made absolute.
    fn absolute_scope(&self, scope: usize, value: &Value) -> Value {
        let Some(text) = value.text_with_holes("\0") else {
            return value.clone();
        };
        if text.starts_with('/') || !text.split('/').next().unwrap_or("").contains('.') {
            return value.clone();
        }
        let mut b = TextBuilder::default();
        let base = self.ev.deployment_scope_id(scope, value.span);
        if base.as_str() != Some("/") {
            b.value(&base);
        }
        b.text("/providers/");
        b.value(value);
        b.finish(value.span)
    }

    /// The scope of `Microsoft.X/y/providers/roleAssignments` named `x/Microsoft.Authorization/guid`.
    fn legacy_scope(&self, id: ResourceId) -> Value {
        let resource = &self.model.resources[id];
        let scope = self.decls[id].env.scope;
        let span = resource.span;
        let parent_type = resource
            .resource_type
            .rsplit_once("/providers/")
            .map_or("", |(t, _)| t);
        let mut b = TextBuilder::default();
        let base = self.ev.deployment_scope_id(scope, span);
        if base.as_str() != Some("/") {
            b.value(&base);
        }
        b.text("/providers/");
        b.text(parent_type);
        b.text("/");
        let name_key = resource.name.text_with_holes("\0").unwrap_or_default();
        match name_key
            .to_ascii_lowercase()
            .find("/microsoft.authorization/")
        {
            Some(at) => b.text(&name_key[..at].replace('\0', "x")),
            None => b.value(&Value::unknown(span)),
        }
        b.finish(span)
    }

    fn inputs_and_outputs(&mut self) {
        for scope_index in 0..self.ev.scopes.len() {
            let scope = &self.ev.scopes[scope_index];
            if scope.names_from.is_some() {
                continue;
            }
            let template = scope.template;
            let call_path = scope.call_path.clone();
            let env = Env::new(scope_index);
            for member in template.get("parameters").map(Json::members).unwrap_or(&[]) {
                let type_value = member.value.get("type").map(eval::literal);
                let sensitive = type_value
                    .as_ref()
                    .and_then(Value::as_str)
                    .is_some_and(|t| {
                        t.eq_ignore_ascii_case("securestring")
                            || t.eq_ignore_ascii_case("secureobject")
                    });
                let default = member
                    .value
                    .get("defaultValue")
                    .map(|d| self.ev.json(&env, d));
                self.model.inputs.push(Input {
                    name: member.key.to_string(),
                    span: member.key_span,
                    sensitive,
                    type_value,
                    default,
                    call_path: call_path.clone(),
                });
            }
            for member in template.get("outputs").map(Json::members).unwrap_or(&[]) {
                if self.is_switched_off(&env, &member.value) {
                    continue;
                }
                let value = self.ev.output(scope_index, &member.key, member.value.span);
                let value = match member.value.get("value") {
                    Some(v) => value.used_at(v.span),
                    None => value,
                };
                let sensitive = member
                    .value
                    .get("type")
                    .and_then(Json::as_str)
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with("secure"));
                self.model.outputs.push(Output {
                    name: member.key.to_string(),
                    span: member.key_span,
                    sensitive,
                    value,
                    nonsensitive: false,
                    inputs: parameters_returned(&self.ev, scope, &member.value),
                    call_path: call_path.clone(),
                });
            }
        }
    }
}

/// The management group a deployment `scope` names, as Bicep writes it.
fn management_group_of(value: &Value) -> Option<Value> {
    let prefix = "providers/microsoft.management/managementgroups/";
    match &value.kind {
        ValueKind::String(s) => {
            let trimmed = s.trim_start_matches('/');
            trimmed
                .to_ascii_lowercase()
                .starts_with(prefix)
                .then(|| Value::string(&trimmed[prefix.len()..], value.span))
        }
        ValueKind::Template(parts) => {
            let Some(crate::model::Part::Text(first)) = parts.first() else {
                return None;
            };
            let trimmed = first.trim_start_matches('/');
            if !trimmed.to_ascii_lowercase().starts_with(prefix) {
                return None;
            }
            let mut b = TextBuilder::default();
            b.text(&trimmed[prefix.len()..]);
            for part in &parts[1..] {
                match part {
                    crate::model::Part::Text(t) => b.text(t),
                    crate::model::Part::Hole(v) => b.value(v),
                }
            }
            Some(b.finish(value.span))
        }
        _ => None,
    }
}

fn env_setting(id: ResourceId, var: &Value, value_key: &str, secret_key: &str) -> Option<Setting> {
    if !matches!(var.kind, ValueKind::Map(_)) {
        return None;
    }
    let name = var.get("name").and_then(Value::to_text).unwrap_or_default();
    let (value, secret_reference) = match (var.get(value_key), var.get(secret_key)) {
        (Some(v), _) => (v.clone(), false),
        (None, Some(s)) => (s.clone(), true),
        (None, None) => (Value::new(ValueKind::Null, var.span), false),
    };
    Some(Setting {
        resource: id,
        kind: SettingKind::Environment,
        name,
        span: var.span,
        value,
        secret_reference,
    })
}

/// What `e` may return of its inputs: the `parameters('x')` calls and the `variables('x')` calls
/// (each with the property read from it directly, if any) whose values can reach its result.
/// An `if` returns a branch, not its condition; an index picks from its base; counts,
/// comparisons and resource ids (`empty`, `length`, `resourceId`, ...) return none of their
/// arguments.
fn returned_inputs<'e>(
    e: &'e Expr,
    params: &mut Vec<&'e str>,
    vars: &mut Vec<(&'e str, Option<&'e str>)>,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    let as_variable = |e: &'e Expr| match e {
        Expr::Call(name, args) if name.lower == "variables" => args.first().and_then(Expr::as_str),
        _ => None,
    };
    match e {
        Expr::Prop(base, member) => match as_variable(base) {
            Some(var) => vars.push((var, Some(member))),
            None => returned_inputs(base, params, vars, depth + 1),
        },
        Expr::Call(name, args) => {
            let returned = match name.lower.as_str() {
                "parameters" | "variables" => {
                    if let Some(arg) = args.first().and_then(Expr::as_str) {
                        if name.lower == "parameters" {
                            params.push(arg);
                        } else {
                            vars.push((arg, None));
                        }
                    }
                    args.as_slice()
                }
                "if" => args.get(1..).unwrap_or(&[]),
                // A hash of a secure parameter is kept: templates use one as a generated
                // password (`uniqueString(parameters('adminSSHKey'))` in a login URL).
                "uniquestring" | "guid" => args.as_slice(),
                lower if eval::NAMING_FUNCTIONS.contains(&lower) => &[],
                _ => args.as_slice(),
            };
            returned
                .iter()
                .for_each(|a| returned_inputs(a, params, vars, depth + 1));
        }
        Expr::Index(base, _) => returned_inputs(base, params, vars, depth + 1),
        _ => {}
    }
}

/// The parameters an output returns, directly or through variables.
fn parameters_returned(ev: &Evaluator, scope: &Scope, output: &Json) -> Vec<String> {
    let mut params: Vec<String> = Vec::new();
    let mut seen_vars: HashSet<String> = HashSet::default();
    let mut pending: Vec<&Json> = vec![output];
    while let Some(json) = pending.pop() {
        let mut stack = vec![json];
        while let Some(node) = stack.pop() {
            match &node.kind {
                JsonKind::String(s) => {
                    let StringForm::Expression(source) = expr::classify(s) else {
                        continue;
                    };
                    let Some(e) = ev.parse(source) else {
                        continue;
                    };
                    let (mut names, mut vars) = (Vec::new(), Vec::new());
                    returned_inputs(&e, &mut names, &mut vars, 0);
                    for name in names {
                        if !params.iter().any(|p| p.eq_ignore_ascii_case(name)) {
                            params.push(name.to_string());
                        }
                    }
                    for (var, member) in vars {
                        let key = var.to_ascii_lowercase();
                        let def = match scope.vars.get(&key) {
                            Some(eval::VarDef::Json(j)) | Some(eval::VarDef::Copy(j)) => j,
                            None => continue,
                        };
                        // `variables('common').dbDns` uses one member of an object variable, not
                        // the secure parameters its other members hold.
                        let part = match (member, &def.kind) {
                            (Some(m), JsonKind::Object(members)) => members
                                .iter()
                                .find(|x| x.key.eq_ignore_ascii_case(m))
                                .map(|x| (format!("{key}.{}", m.to_ascii_lowercase()), &x.value)),
                            _ => None,
                        };
                        let (seen, json) = part.unwrap_or((key, def));
                        if seen_vars.insert(seen) {
                            pending.push(json);
                        }
                    }
                }
                JsonKind::Array(items) => stack.extend(items),
                JsonKind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
                _ => {}
            }
        }
    }
    params
}
