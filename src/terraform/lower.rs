//! Lowering an evaluated root module into the model: resource bodies, then the typed entities
//! rules query.

use foldhash::HashMap;

use super::ast::{Block, Body, Expr, ExprKind};
use super::eval::{Ctx, Evaluator, Iteration};
use crate::data;
use crate::model::workload::workload_kind;
use crate::model::*;
use crate::span::Span;

const META_ATTRIBUTES: &[&str] = &["count", "for_each", "depends_on", "provider"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

/// Instantiates every module call below the root, expands every resource, evaluates every body
/// and derives the typed entities.
pub fn build(ev: &mut Evaluator<'_>) {
    // Instances are appended while walking, so index rather than iterate.
    let mut i = 0;
    while i < ev.instances.len() {
        let module = ev.module(i);
        for call in &module.module_calls {
            ev.module_call_instances(i, call.label(0));
        }
        for block in &module.resources {
            ev.expand(i, block.kind == "data", block.label(0), block.label(1));
        }
        i += 1;
    }
    for id in 0..ev.model.resources.len() {
        fill_resource(ev, id);
    }
    for instance in 0..ev.instances.len() {
        declarations(ev, instance);
    }
    entities(ev);
}

fn fill_resource(ev: &mut Evaluator<'_>, id: ResourceId) {
    let block = ev.infos[id].block;
    let mut entries: Vec<Entry> = Vec::new();
    for attr in &block.body.attributes {
        if META_ATTRIBUTES.contains(&attr.name.as_str()) {
            continue;
        }
        let value = ev.configured(id, &attr.name);
        entries.push(Entry {
            key: attr.name.clone(),
            span: Some(attr.span),
            value,
        });
    }
    let mut entries = last_of_each_key(entries, false);
    let mut ctx = Ctx::new(ev.infos[id].instance, ev.infos[id].iteration.clone());
    let mut unknown_dynamic = Vec::new();
    blocks_into(
        ev,
        &block.body,
        &mut ctx,
        &mut entries,
        &mut unknown_dynamic,
        0,
    );
    ev.infos[id].unknown_dynamic = unknown_dynamic;
    let body = Value::new(ValueKind::Map(entries), block.span);
    let resource = &mut ev.model.resources[id];
    resource.name = body
        .get("name")
        .cloned()
        .unwrap_or_else(|| Value::unknown(block.header));
    resource.resource_group = body.get("resource_group_name").cloned();
    resource.body = body;
}

/// Deeper block nesting than this is not lowered.
const MAX_BLOCK_DEPTH: usize = 32;

/// Evaluates a block body (attributes and nested blocks, `dynamic` expanded) into a map.
fn eval_body<'a>(
    ev: &mut Evaluator<'a>,
    body: &'a Body,
    span: Span,
    ctx: &mut Ctx,
    unknown_dynamic: &mut Vec<(String, Span)>,
    depth: usize,
) -> Value {
    let mut entries: Vec<Entry> = Vec::new();
    for attr in &body.attributes {
        let value = ev.eval(&attr.expr, ctx);
        entries.push(Entry {
            key: attr.name.clone(),
            span: Some(attr.span),
            value,
        });
    }
    let mut entries = last_of_each_key(entries, false);
    blocks_into(ev, body, ctx, &mut entries, unknown_dynamic, depth);
    Value::new(ValueKind::Map(entries), span)
}

fn blocks_into<'a>(
    ev: &mut Evaluator<'a>,
    body: &'a Body,
    ctx: &mut Ctx,
    entries: &mut Vec<Entry>,
    unknown_dynamic: &mut Vec<(String, Span)>,
    depth: usize,
) {
    if depth >= MAX_BLOCK_DEPTH {
        return;
    }
    // The first entry of each key, for a body of many entries and blocks: each block looked
    // for its kind among all entries.
    let mut first_of_key: Option<HashMap<String, usize>> = None;
    if entries.len() + body.blocks.len() > 32 {
        let mut index = HashMap::default();
        for (i, e) in entries.iter().enumerate() {
            index.entry(e.key.clone()).or_insert(i);
        }
        first_of_key = Some(index);
    }
    for block in &body.blocks {
        if META_BLOCKS.contains(&block.kind.as_str()) {
            continue;
        }
        let (kind, maps) = if block.kind == "dynamic" {
            let kind = block.label(0).to_string();
            let maps = dynamic_block(ev, block, ctx, unknown_dynamic, depth);
            (kind, maps)
        } else {
            let map = eval_body(ev, &block.body, block.span, ctx, unknown_dynamic, depth + 1);
            (block.kind.clone(), vec![map])
        };
        let first = match &first_of_key {
            Some(index) => index.get(&kind).copied(),
            None => entries.iter().position(|e| e.key == kind),
        };
        match first.map(|i| &mut entries[i].value.kind) {
            Some(ValueKind::List(items)) => items.extend(maps),
            _ => {
                if let Some(index) = &mut first_of_key {
                    index.entry(kind.clone()).or_insert(entries.len());
                }
                entries.push(Entry {
                    key: kind,
                    span: Some(block.span),
                    value: Value::new(ValueKind::List(maps), block.span),
                });
            }
        }
    }
}

fn dynamic_block<'a>(
    ev: &mut Evaluator<'a>,
    block: &'a Block,
    ctx: &mut Ctx,
    unknown_dynamic: &mut Vec<(String, Span)>,
    depth: usize,
) -> Vec<Value> {
    let Some(content) = block.body.blocks("content").next() else {
        return Vec::new();
    };
    let iterator = match block.body.expr("iterator").map(|e| &e.kind) {
        Some(ExprKind::Variable(name)) => name.clone(),
        _ => block.label(0).to_string(),
    };
    let collection = match block.body.expr("for_each") {
        Some(e) => ev.eval(e, ctx),
        None => Value::unknown(block.header),
    };
    let bytes = content.span.len();
    let pairs: Vec<(Value, Value)> = match &collection.kind {
        ValueKind::List(items) if ev.take_loop(items.len(), bytes) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::new(ValueKind::Number(i as f64), v.span), v.clone()))
            .collect(),
        ValueKind::Map(entries) if ev.take_loop(entries.len(), bytes) => entries
            .iter()
            .map(|e| {
                (
                    Value::string(e.key.clone(), e.span.unwrap_or(e.value.span)),
                    e.value.clone(),
                )
            })
            .collect(),
        ValueKind::Null => Vec::new(),
        _ => {
            unknown_dynamic.push((block.label(0).to_string(), block.span));
            let unknown = Value::new(
                ValueKind::Unknown(collection.refs().into_iter().cloned().collect()),
                block.span,
            );
            vec![(unknown.clone(), unknown)]
        }
    };
    let mut out = Vec::new();
    for (key, value) in pairs {
        let span = value.span;
        let iter_value = Value::new(
            ValueKind::Map(vec![
                Entry {
                    key: "key".into(),
                    span: None,
                    value: key,
                },
                Entry {
                    key: "value".into(),
                    span: None,
                    value,
                },
            ]),
            span,
        );
        let mut inner = ctx.clone();
        inner.push_var(iterator.clone(), iter_value);
        out.push(eval_body(
            ev,
            &content.body,
            content.span,
            &mut inner,
            unknown_dynamic,
            depth + 1,
        ));
    }
    out
}

/// Inputs, outputs and providers of one instance.
fn declarations(ev: &mut Evaluator<'_>, instance: usize) {
    let module = ev.module(instance);
    let call_path = ev.instances[instance].call_path.clone();
    for block in &module.variable_order {
        let sensitive = literal_bool(block.body.expr("sensitive"));
        let type_value = block
            .body
            .expr("type")
            .map(|e| Value::string(source_text(ev, e.span), e.span));
        let default = block.body.expr("default").map(|e| {
            let mut ctx = Ctx::new(instance, Iteration::None);
            ev.eval(e, &mut ctx)
        });
        ev.model.inputs.push(Input {
            name: block.label(0).to_string(),
            span: block.header,
            sensitive,
            type_value,
            default,
            call_path: call_path.clone(),
        });
    }
    for block in &module.outputs {
        let name = block.label(0).to_string();
        let value = ev.output(instance, &name);
        let value = match block.body.expr("value") {
            Some(e) => value.used_at(e.span),
            None => value,
        };
        let mut nonsensitive = false;
        let mut inputs: Vec<String> = Vec::new();
        if let Some(e) = block.body.expr("value") {
            e.walk(&mut |e: &Expr| match &e.kind {
                ExprKind::Call { name, .. } if name == "nonsensitive" => nonsensitive = true,
                _ => {
                    if let Some(("var", names)) = e.reference_path()
                        && let Some(n) = names.first()
                        && !inputs.iter().any(|i| i == n)
                    {
                        inputs.push(n.to_string());
                    }
                }
            });
        }
        ev.model.outputs.push(Output {
            name,
            span: block.header,
            sensitive: literal_bool(block.body.expr("sensitive")),
            value,
            nonsensitive,
            inputs,
            call_path: call_path.clone(),
        });
    }
    // Backends are providers to the rules: both hold credentials in the same shapes.
    let providers = module.providers.iter().map(|b| (b, b.label(0).to_string()));
    let backends = module
        .backends
        .iter()
        .map(|b| (b, format!("backend.{}", b.label(0))));
    for (block, name) in providers.chain(backends) {
        let mut ctx = Ctx::new(instance, Iteration::None);
        let mut unknown = Vec::new();
        let body = eval_body(ev, &block.body, block.span, &mut ctx, &mut unknown, 0);
        ev.model.providers.push(Provider {
            name,
            span: block.header,
            body,
            call_path: call_path.clone(),
        });
    }
}

fn literal_bool(expr: Option<&Expr>) -> bool {
    matches!(expr.map(|e| &e.kind), Some(ExprKind::Bool(true)))
}

fn source_text(ev: &Evaluator<'_>, span: Span) -> String {
    ev.db.get(span.file).slice(span).to_string()
}

/// The maps of a block attribute: a list of maps (HCL blocks) or a single map (JSON syntax).
fn blocks_of<'v>(body: &'v Value, key: &str) -> Vec<&'v Value> {
    match body.get(key) {
        Some(Value {
            kind: ValueKind::List(items),
            ..
        }) => items
            .iter()
            .filter(|i| matches!(i.kind, ValueKind::Map(_)))
            .collect(),
        Some(
            v @ Value {
                kind: ValueKind::Map(_),
                ..
            },
        ) => vec![v],
        _ => Vec::new(),
    }
}

fn get_or_null(map: &Value, key: &str) -> Value {
    map.get(key)
        .cloned()
        .unwrap_or_else(|| Value::new(ValueKind::Null, map.span))
}

fn entities(ev: &mut Evaluator<'_>) {
    let count = ev.model.resources.len();
    // Role definitions first: assignments refer to them by index.
    for id in 0..count {
        let r = &ev.model.resources[id];
        if r.mode == ResourceMode::Managed && r.is_type("azurerm_role_definition") {
            let permissions = blocks_of(&r.body, "permissions")
                .into_iter()
                .map(|p| Permissions {
                    span: p.span,
                    actions: get_or_null(p, "actions"),
                    not_actions: get_or_null(p, "not_actions"),
                    data_actions: get_or_null(p, "data_actions"),
                    not_data_actions: get_or_null(p, "not_data_actions"),
                })
                .collect();
            let definition = RoleDefinition {
                resource: id,
                name: r.name.clone(),
                permissions,
                assignable_scopes: get_or_null(&r.body, "assignable_scopes"),
            };
            ev.model.role_definitions.push(definition);
        }
    }
    for id in 0..count {
        let managed = ev.model.resources[id].mode == ResourceMode::Managed;
        let resource_type = ev.model.resources[id].resource_type.clone();
        if !managed {
            continue;
        }
        if identity_ids_unresolved(ev, id) {
            ev.model.unresolved_attachments.push(id);
        }
        if let Some((kind, calls_azure)) = workload_kind(&resource_type, None) {
            let identity = identity_decl(ev, id);
            ev.model.workloads.push(Workload {
                resource: id,
                kind,
                calls_azure,
                identity,
            });
            settings(ev, id, kind);
        } else {
            for identity in identity_decl(ev, id).user_assigned {
                ev.model.attachments.push(Attachment {
                    resource: id,
                    identity,
                });
            }
        }
        match resource_type.as_str() {
            "azurerm_user_assigned_identity" => ev
                .model
                .identities
                .push(UserAssignedIdentity { resource: id }),
            "azurerm_federated_identity_credential" => {
                let body = &ev.model.resources[id].body;
                let identity = body
                    .get("parent_id")
                    .and_then(|v| target_of(&ev.model, v, "azurerm_user_assigned_identity"));
                ev.model.federated_credentials.push(FederatedCredential {
                    resource: id,
                    identity,
                });
            }
            "azurerm_role_assignment" => role_assignment(ev, id),
            "azurerm_key_vault" => key_vault(ev, id),
            "azurerm_key_vault_access_policy" => {
                let r = &ev.model.resources[id];
                let vault = r
                    .body
                    .get("key_vault_id")
                    .and_then(|v| target_of(&ev.model, v, "azurerm_key_vault"));
                let policy = access_policy(&ev.model, &r.body, r.span, vault);
                ev.model.access_policies.push(policy);
            }
            _ => {}
        }
    }
}

/// The declared resource of `resource_type` that a value references (directly or in a hole).
fn target_of(model: &Model, value: &Value, resource_type: &str) -> Option<ResourceId> {
    value
        .refs()
        .into_iter()
        .filter_map(|r| r.resource)
        .find(|&id| {
            model
                .resources
                .get(id)
                .is_some_and(|r| r.is_type(resource_type))
        })
}

/// Whether the resource's `identity` block is dynamic over an unknown collection, or its
/// `identity_ids` is an unknown value rather than a list.
fn identity_ids_unresolved(ev: &Evaluator<'_>, id: ResourceId) -> bool {
    if ev.infos[id]
        .unknown_dynamic
        .iter()
        .any(|(kind, _)| kind == "identity")
    {
        return true;
    }
    blocks_of(&ev.model.resources[id].body, "identity")
        .into_iter()
        .filter_map(|block| block.get("identity_ids"))
        .any(|ids| !ids.is_null() && !matches!(ids.kind, ValueKind::List(_)))
}

fn identity_decl(ev: &Evaluator<'_>, id: ResourceId) -> IdentityDecl {
    let r = &ev.model.resources[id];
    if let Some((_, span)) = ev.infos[id]
        .unknown_dynamic
        .iter()
        .find(|(kind, _)| kind == "identity")
    {
        return IdentityDecl {
            span: Some(*span),
            kind: Some(Value::unknown(*span)),
            system_assigned: None,
            user_assigned: Vec::new(),
        };
    }
    let Some(block) = blocks_of(&r.body, "identity").into_iter().next() else {
        return IdentityDecl::default();
    };
    let kind = block.get("type").cloned();
    let system_assigned = kind
        .as_ref()
        .and_then(Value::as_str)
        .map(|t| t.to_ascii_lowercase().contains("systemassigned"));
    let user_assigned = match block.get("identity_ids") {
        Some(
            v @ Value {
                kind: ValueKind::List(items),
                ..
            },
        ) => {
            let _ = v;
            items
                .iter()
                .map(|item| IdentityRef {
                    value: item.clone(),
                    target: target_of(&ev.model, item, "azurerm_user_assigned_identity"),
                })
                .collect()
        }
        Some(v) if !v.is_null() => vec![IdentityRef {
            value: v.clone(),
            target: target_of(&ev.model, v, "azurerm_user_assigned_identity"),
        }],
        _ => Vec::new(),
    };
    IdentityDecl {
        span: Some(block.span),
        kind,
        system_assigned,
        user_assigned,
    }
}

/// Who a principal id value is: a declared user-assigned identity or a workload's
/// system-assigned identity.
fn principal_of(model: &Model, value: &Value) -> Principal {
    let ValueKind::Ref(r) = &value.kind else {
        return Principal::Other;
    };
    let Some(id) = r.resource else {
        return Principal::Other;
    };
    let Some(resource) = model.resources.get(id) else {
        return Principal::Other;
    };
    if resource.is_type("azurerm_user_assigned_identity") && &*r.attribute == "principal_id" {
        return Principal::UserAssigned(id);
    }
    let system = matches!(
        &*r.attribute,
        "identity.0.principal_id" | "identity.*.principal_id"
    );
    if system
        && (workload_kind(&resource.resource_type, None).is_some()
            || data::azurerm_supports_identity(&resource.resource_type))
    {
        return Principal::SystemAssigned(id);
    }
    Principal::Other
}

fn role_assignment(ev: &mut Evaluator<'_>, id: ResourceId) {
    let model = &ev.model;
    let r = &model.resources[id];
    let principal_value = get_or_null(&r.body, "principal_id");
    let principal = principal_of(model, &principal_value);
    let by_name = r.body.get("role_definition_name").filter(|v| !v.is_null());
    let by_id = r.body.get("role_definition_id").filter(|v| !v.is_null());
    let custom_by_ref = |v: &Value| {
        target_of(model, v, "azurerm_role_definition")
            .and_then(|t| model.role_definitions.iter().position(|d| d.resource == t))
    };
    let built_in = |v: &Value, lookup: fn(&str) -> Option<&'static data::BuiltinRole>| {
        v.as_str()
            .and_then(lookup)
            .map_or(Role::Unknown, Role::BuiltIn)
    };
    let (role_value, role) = match (by_name, by_id) {
        (Some(v), _) => {
            let custom = custom_by_ref(v).or_else(|| custom_by_origin(ev, v));
            let role = custom.map_or_else(|| built_in(v, data::builtin_role_by_name), Role::Custom);
            (v.clone(), role)
        }
        (None, Some(v)) => {
            let role = custom_by_ref(v)
                .map_or_else(|| built_in(v, data::builtin_role_by_id), Role::Custom);
            (v.clone(), role)
        }
        (None, None) => (Value::unknown(r.span), Role::Unknown),
    };
    let scope_value = get_or_null(&r.body, "scope");
    let scope = ScopeKind::of(&scope_value);
    ev.model.role_assignments.push(RoleAssignment {
        resource: id,
        principal,
        principal_value,
        role_value,
        role,
        scope_value,
        scope,
    });
}

/// A role name written in a declared role definition (`azurerm_role_definition.x.name`
/// resolves to the literal, whose origin lies in that block), or equal to one's known name.
fn custom_by_origin(ev: &Evaluator<'_>, v: &Value) -> Option<usize> {
    let model = &ev.model;
    let written = v.origin.unwrap_or(v.span);
    model
        .role_definitions
        .iter()
        .position(|d| ev.infos[d.resource].block.span.contains(written))
        .or_else(|| {
            let name = v.as_str()?;
            if data::builtin_role_by_name(name).is_some() {
                return None;
            }
            model
                .role_definitions
                .iter()
                .position(|d| d.name.as_str() == Some(name))
        })
}

fn key_vault(ev: &mut Evaluator<'_>, id: ResourceId) {
    let r = &ev.model.resources[id];
    let rbac = r
        .body
        .get("rbac_authorization_enabled")
        .or_else(|| r.body.get("enable_rbac_authorization"))
        .cloned();
    let policies: Vec<AccessPolicy> = blocks_of(&r.body, "access_policy")
        .into_iter()
        .map(|p| access_policy(&ev.model, p, p.span, Some(id)))
        .collect();
    ev.model.key_vaults.push(KeyVault {
        resource: id,
        rbac_authorization: rbac,
    });
    ev.model.access_policies.extend(policies);
}

fn access_policy(
    model: &Model,
    body: &Value,
    span: Span,
    vault: Option<ResourceId>,
) -> AccessPolicy {
    let object_id = get_or_null(body, "object_id");
    AccessPolicy {
        span,
        vault,
        principal: principal_of(model, &object_id),
        object_id,
        secret_permissions: get_or_null(body, "secret_permissions"),
        key_permissions: get_or_null(body, "key_permissions"),
        certificate_permissions: get_or_null(body, "certificate_permissions"),
        storage_permissions: get_or_null(body, "storage_permissions"),
    }
}

fn settings(ev: &mut Evaluator<'_>, id: ResourceId, kind: WorkloadKind) {
    let r = &ev.model.resources[id];
    let mut out = Vec::new();
    let setting = |kind, name: &str, span, value: &Value, secret_reference| Setting {
        resource: id,
        kind,
        name: name.to_string(),
        span,
        value: value.clone(),
        secret_reference,
    };
    match kind {
        WorkloadKind::WebApp | WorkloadKind::FunctionApp | WorkloadKind::LogicApp => {
            if let Some(settings) = r.body.get("app_settings") {
                for e in settings.entries() {
                    let span = e.span.unwrap_or(e.value.span);
                    out.push(setting(
                        SettingKind::AppSetting,
                        &e.key,
                        span,
                        &e.value,
                        false,
                    ));
                }
            }
            for cs in blocks_of(&r.body, "connection_string") {
                let name = cs.get("name").and_then(Value::to_text).unwrap_or_default();
                let value = get_or_null(cs, "value");
                out.push(setting(
                    SettingKind::ConnectionString,
                    &name,
                    cs.span,
                    &value,
                    false,
                ));
            }
            if kind == WorkloadKind::FunctionApp {
                for key in ["storage_account_access_key", "storage_connection_string"] {
                    if let Some(e) = r.body.entry(key).filter(|e| !e.value.is_null()) {
                        let span = e.span.unwrap_or(e.value.span);
                        out.push(setting(SettingKind::StorageKey, key, span, &e.value, false));
                    }
                }
            }
        }
        WorkloadKind::ContainerApp | WorkloadKind::ContainerAppJob => {
            for template in blocks_of(&r.body, "template") {
                for container in blocks_of(template, "container") {
                    for env in blocks_of(container, "env") {
                        let name = env.get("name").and_then(Value::to_text).unwrap_or_default();
                        match env.get("secret_name").filter(|v| !v.is_null()) {
                            Some(secret) => out.push(setting(
                                SettingKind::Environment,
                                &name,
                                env.span,
                                secret,
                                true,
                            )),
                            None => out.push(setting(
                                SettingKind::Environment,
                                &name,
                                env.span,
                                &get_or_null(env, "value"),
                                false,
                            )),
                        }
                    }
                }
            }
        }
        WorkloadKind::ContainerGroup => {
            for container in blocks_of(&r.body, "container") {
                for (key, secret) in [
                    ("environment_variables", false),
                    ("secure_environment_variables", true),
                ] {
                    if let Some(map) = container.get(key) {
                        for e in map.entries() {
                            let span = e.span.unwrap_or(e.value.span);
                            out.push(setting(
                                SettingKind::Environment,
                                &e.key,
                                span,
                                &e.value,
                                secret,
                            ));
                        }
                    }
                }
            }
        }
        _ => {}
    }
    ev.model.settings.extend(out);
}
