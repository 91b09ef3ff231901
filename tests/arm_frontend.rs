//! The ARM front end on small templates: detection, evaluation, nesting and lowering.

use std::path::PathBuf;

use idlint::frontend::Loaded;
use idlint::model::{
    Model, Principal, ResourceMode, Role, ScopeKind, SettingKind, Value, ValueKind, WorkloadKind,
};
use idlint::source::{FileKind, SourceDb, SourceFile};
use idlint::span::FileId;

const DIR: &str = "testdata/arm/frontend";

/// Loads fixture files (by name under `DIR`) or inline texts.
fn load_files(files: &[(&str, Option<&str>)], explicit_parameters: &[&str]) -> (SourceDb, Loaded) {
    let mut db = SourceDb::default();
    let mut ids = Vec::new();
    for (name, text) in files {
        let path = PathBuf::from(DIR).join(name);
        let text = match text {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(&path).unwrap(),
        };
        let kind = if name.ends_with(".parameters.json") {
            FileKind::ArmParameters
        } else {
            FileKind::Json
        };
        ids.push(db.add(SourceFile::new(path, kind, text, true)));
    }
    let mut explicit = Vec::new();
    for name in explicit_parameters {
        let path = PathBuf::from(DIR).join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        explicit.push(db.add(SourceFile::new(path, FileKind::ArmParameters, text, false)));
    }
    let loaded = idlint::arm::load(&db, &ids, &explicit);
    (db, loaded)
}

fn load_one(name: &str) -> (SourceDb, Model) {
    let (db, mut loaded) = load_files(&[(name, None)], &[]);
    assert!(
        loaded.invalid_files.is_empty(),
        "{:?}",
        loaded.invalid_files
    );
    assert_eq!(loaded.models.len(), 1);
    (db, loaded.models.remove(0))
}

fn inline(text: &str) -> Loaded {
    load_files(&[("inline.json", Some(text))], &[]).1
}

fn resource<'m>(model: &'m Model, address: &str) -> (usize, &'m idlint::model::Resource) {
    model
        .resources
        .iter()
        .enumerate()
        .find(|(_, r)| r.address == address)
        .unwrap_or_else(|| {
            let all: Vec<&str> = model.resources.iter().map(|r| r.address.as_str()).collect();
            panic!("no resource {address}; have {all:?}")
        })
}

fn setting<'m>(model: &'m Model, name: &str) -> &'m idlint::model::Setting {
    model
        .settings
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no setting {name}"))
}

fn text(value: &Value) -> String {
    value
        .to_text()
        .or_else(|| value.text_with_holes("<?>"))
        .unwrap_or_else(|| format!("{:?}", value.kind))
}

const RG_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

const STORAGE_ACCOUNT: &str = r#"{"type": "Microsoft.Storage/storageAccounts", "name": "sa"}"#;
const APP_INSIGHTS: &str = r#"{"type": "Microsoft.Insights/components", "name": "ai"}"#;

/// A template that declares `declared` (a resource, as JSON), then a `Microsoft.Test/things`
/// resource whose `properties` are the JSON members `properties`; `variables` are JSON members.
fn thing_after(declared: &str, variables: &str, properties: &str) -> Loaded {
    inline(&format!(
        r#"{{"$schema": "{RG_SCHEMA}", "variables": {{{variables}}}, "resources": [
             {declared},
             {{"type": "Microsoft.Test/things", "name": "x", "properties": {{{properties}}}}}
           ]}}"#
    ))
}

#[test]
fn parameters_come_from_defaults_and_parameter_files() {
    let (db, loaded) = load_files(
        &[("webapp.json", None), ("webapp.parameters.json", None)],
        &[],
    );
    assert!(loaded.invalid_files.is_empty());
    assert_eq!(
        loaded.models.len(),
        1,
        "parameter files are never templates"
    );
    let model = &loaded.models[0];
    let (_, site) = resource(model, "resources[2]");
    assert_eq!(site.name.as_str(), Some("app-default"));
    let (_, storage) = resource(model, "resources[1]");
    assert_eq!(storage.name.as_str(), Some("stfromfile"));
    // The value used in the template remembers it was written in the parameter file.
    let origin = storage.name.origin.expect("origin in the parameter file");
    assert!(
        db.get(origin.file)
            .display
            .ends_with("webapp.parameters.json")
    );
    assert_eq!(db.get(origin.file).slice(origin), "\"stfromfile\"");
    // A Key Vault reference is unknown, not secret.
    let db_conn = setting(model, "Db");
    let refs = db_conn.value.refs();
    assert!(!db_conn.value.is_known());
    assert!(refs.iter().all(|r| !r.secret));
}

#[test]
fn explicit_parameter_files_apply_to_every_template() {
    let (_, loaded) = load_files(&[("webapp.json", None)], &["webapp.parameters.json"]);
    let (_, storage) = resource(&loaded.models[0], "resources[1]");
    assert_eq!(storage.name.as_str(), Some("stfromfile"));
    // Without any parameter file the name is a hole.
    let (_, model) = load_one("webapp.json");
    let (_, storage) = resource(&model, "resources[1]");
    assert!(
        matches!(storage.name.kind, ValueKind::Unknown(ref refs) if &*refs[0].text == "parameters('storageName')")
    );
}

#[test]
fn variables_chain_format_concat_and_cycles() {
    let (db, model) = load_one("webapp.json");
    let full = setting(&model, "FULL_NAME");
    assert_eq!(full.value.as_str(), Some("pre-app-default-web"));
    assert_eq!(
        db.get(full.value.span.file).slice(full.value.span),
        "\"[variables('fullName')]\""
    );
    let looped = setting(&model, "LOOP");
    assert!(matches!(looped.value.kind, ValueKind::Unknown(_)));
    assert_eq!(
        setting(&model, "ESCAPED").value.as_str(),
        Some("[not an expression]")
    );
    assert_eq!(setting(&model, "PORTS").value.as_str(), Some("[80,81]"));
}

#[test]
fn list_functions_are_secret_references_to_the_resource() {
    let (_, model) = load_one("webapp.json");
    let (storage, _) = resource(&model, "resources[1]");
    let jobs = setting(&model, "AzureWebJobsStorage");
    let ValueKind::Template(_) = &jobs.value.kind else {
        panic!("{:?}", jobs.value.kind)
    };
    let refs = jobs.value.refs();
    let key = refs
        .iter()
        .find(|r| r.text.starts_with("listKeys"))
        .unwrap();
    assert!(key.secret);
    assert_eq!(key.resource, Some(storage));
    assert_eq!(&*key.attribute, "keys[0].value");
    let output = model.outputs.iter().find(|o| o.name == "key").unwrap();
    assert!(
        matches!(&output.value.kind, ValueKind::Ref(r) if r.secret && r.resource == Some(storage))
    );
    let password = model.outputs.iter().find(|o| o.name == "password").unwrap();
    assert_eq!(password.inputs, vec!["adminPassword".to_string()]);
}

#[test]
fn workloads_identities_and_children() {
    let (_, model) = load_one("webapp.json");
    let (uami, _) = resource(&model, "resources[0]");
    let (site, _) = resource(&model, "resources[2]");
    let workload = model.workload_of(site).unwrap();
    assert_eq!(workload.kind, WorkloadKind::FunctionApp);
    assert_eq!(workload.identity.system_assigned, Some(true));
    assert_eq!(workload.identity.user_assigned.len(), 1);
    assert_eq!(workload.identity.user_assigned[0].target, Some(uami));
    assert_eq!(model.identities.len(), 1);
    assert_eq!(model.identities[0].resource, uami);
    // The nested child joins type and name with its parent, and its settings belong to the site.
    let (config, child) = resource(&model, "resources[2].resources[0]");
    assert_eq!(child.resource_type, "Microsoft.Web/sites/config");
    assert_eq!(child.name.as_str(), Some("app-default/appsettings"));
    let secret = setting(&model, "SECRET");
    assert_eq!(secret.resource, site);
    assert_ne!(secret.resource, config);
    assert_eq!(secret.kind, SettingKind::AppSetting);
    assert_eq!(setting(&model, "Db").kind, SettingKind::ConnectionString);
}

#[test]
fn role_assignments_resolve_principal_role_and_scope() {
    let (db, model) = load_one("webapp.json");
    let (uami, _) = resource(&model, "resources[0]");
    let (site, _) = resource(&model, "resources[2]");
    let by_address = |address: &str| {
        let (id, _) = resource(&model, address);
        model
            .role_assignments
            .iter()
            .find(|a| a.resource == id)
            .unwrap()
    };
    let owner = by_address("resources[3]");
    assert_eq!(owner.principal, Principal::UserAssigned(uami));
    assert!(matches!(owner.role, Role::BuiltIn(r) if r.name == "Owner"));
    assert_eq!(owner.scope, ScopeKind::ResourceGroup);
    assert_eq!(
        db.get(owner.role_value.span.file)
            .slice(owner.role_value.span),
        "\"[variables('ownerRole')]\""
    );
    let blob = by_address("resources[4]");
    assert_eq!(blob.principal, Principal::SystemAssigned(site));
    assert!(matches!(blob.role, Role::BuiltIn(r) if r.name == "Storage Blob Data Contributor"));
    assert_eq!(blob.scope, ScopeKind::Resource);
    let custom = by_address("resources[6]");
    assert_eq!(custom.principal, Principal::Other);
    let Role::Custom(index) = custom.role else {
        panic!("{:?}", custom.role)
    };
    let definition = &model.role_definitions[index];
    assert_eq!(definition.name.as_str(), Some("Custom Admin"));
    assert_eq!(definition.permissions.len(), 1);
    assert_eq!(text(&definition.permissions[0].actions.items()[0]), "*");
}

#[test]
fn key_vaults_and_access_policies() {
    let (_, model) = load_one("webapp.json");
    let (site, _) = resource(&model, "resources[2]");
    let (vault, vault_resource) = resource(&model, "resources[7]");
    assert!(matches!(vault_resource.name.kind, ValueKind::Template(_)));
    assert_eq!(model.key_vaults.len(), 1);
    assert_eq!(
        model.key_vaults[0]
            .rbac_authorization
            .as_ref()
            .and_then(Value::as_bool),
        Some(false)
    );
    let policy = &model.access_policies[0];
    assert_eq!(policy.vault, Some(vault));
    // `reference(name, ..., 'Full')` by plain name.
    assert_eq!(policy.principal, Principal::SystemAssigned(site));
    assert_eq!(policy.key_permissions.items().len(), 1);
    assert_eq!(policy.secret_permissions.items().len(), 2);
}

#[test]
fn copy_loops_on_resources_and_properties() {
    let (_, model) = load_one("webapp.json");
    let ips: Vec<_> = model
        .resources
        .iter()
        .filter(|r| r.is_type("Microsoft.Network/publicIPAddresses"))
        .collect();
    assert_eq!(ips.len(), 2);
    assert_eq!(ips[1].name.as_str(), Some("ip-1"));
    assert_eq!(ips[1].address, "resources[8][1]");
    let tags = ips[1].body.path("properties.tags").unwrap();
    let tags: Vec<_> = tags.items().iter().map(text).collect();
    assert_eq!(tags, vec!["t0-1", "t1-1"]);
    // Unknown count: one instance, copyIndex unknown.
    let nics: Vec<_> = model
        .resources
        .iter()
        .filter(|r| r.is_type("Microsoft.Network/networkInterfaces"))
        .collect();
    assert_eq!(nics.len(), 1);
    assert!(matches!(nics[0].name.kind, ValueKind::Template(_)));
}

#[test]
fn a_false_condition_deploys_nothing() {
    let loaded = inline(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {
    "edition": { "type": "string", "defaultValue": "basic" },
    "chosenLater": { "type": "bool" }
  },
  "resources": [
    { "condition": "[equals(parameters('edition'), 'premium')]",
      "type": "Microsoft.Storage/storageAccounts", "name": "premium" },
    { "condition": "[parameters('chosenLater')]",
      "type": "Microsoft.Storage/storageAccounts", "name": "maybe" },
    { "condition": true, "type": "Microsoft.Storage/storageAccounts", "name": "always" },
    { "condition": "[not(equals(copyIndex(), 1))]",
      "copy": { "name": "ips", "count": 3 },
      "type": "Microsoft.Network/publicIPAddresses", "name": "[format('ip-{0}', copyIndex())]" },
    { "condition": false,
      "type": "Microsoft.Resources/deployments", "name": "off",
      "properties": { "mode": "Incremental", "template": { "resources": [
        { "type": "Microsoft.Web/sites", "name": "never" } ] } } }
  ],
  "outputs": {
    "premiumKey": { "condition": "[equals(parameters('edition'), 'premium')]", "type": "string",
      "value": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'premium'), '2023-01-01').keys[0].value]" },
    "maybeName": { "condition": "[parameters('chosenLater')]", "type": "string", "value": "maybe" }
  }
}"#,
    );
    let model = &loaded.models[0];
    let names: Vec<(&str, String)> = model
        .resources
        .iter()
        .map(|r| (r.address.as_str(), text(&r.name)))
        .collect();
    // Known false: not deployed, nested templates included; unknown: deployed. A copy loop's
    // condition is decided per instance, and the addresses keep their indexes.
    assert_eq!(
        names,
        [
            ("resources[1]", "maybe".to_string()),
            ("resources[2]", "always".to_string()),
            ("resources[3][0]", "ip-0".to_string()),
            ("resources[3][2]", "ip-2".to_string()),
        ]
    );
    // An output behind a false condition is not returned either.
    let outputs: Vec<&str> = model.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(outputs, ["maybeName"]);
}

#[test]
fn symbolic_names_existing_and_container_env() {
    let (_, model) = load_one("symbolic.json");
    let (uami, _) = resource(&model, "uami");
    let (vault, vault_resource) = resource(&model, "vault");
    assert_eq!(vault_resource.mode, ResourceMode::Existing);
    assert!(
        model.key_vaults.is_empty(),
        "existing vaults are not declared here"
    );
    let (app, _) = resource(&model, "app");
    let workload = model.workload_of(app).unwrap();
    assert_eq!(workload.kind, WorkloadKind::ContainerApp);
    assert_eq!(workload.identity.system_assigned, Some(false));
    assert_eq!(workload.identity.user_assigned[0].target, Some(uami));
    let assignment = &model.role_assignments[0];
    assert_eq!(assignment.principal, Principal::UserAssigned(uami));
    assert_eq!(assignment.scope, ScopeKind::Resource);
    assert!(matches!(assignment.role, Role::BuiltIn(r) if r.name == "Key Vault Secrets User"));
    let _ = vault;
    assert!(!setting(&model, "PLAIN").secret_reference);
    assert!(setting(&model, "FROM_SECRET").secret_reference);
    assert!(setting(&model, "B").secret_reference);
    assert_eq!(setting(&model, "A").kind, SettingKind::Environment);
}

#[test]
fn nested_deployments_inner_and_outer_scope() {
    let (db, model) = load_one("subscription.json");
    let sub_owner = &model.role_assignments[0];
    assert_eq!(sub_owner.scope, ScopeKind::Subscription);
    assert!(matches!(sub_owner.role, Role::BuiltIn(r) if r.name == "Contributor"));
    // Inner scope: parameters evaluated in the outer template.
    let (module, module_resource) = resource(&model, "resources[1]");
    let (site, inner_site) = resource(&model, "resources[1].properties.template.resources[0]");
    assert_eq!(inner_site.name.as_str(), Some("site-rg-app"));
    assert_eq!(inner_site.call_path, vec![module_resource.span]);
    assert_eq!(text(inner_site.resource_group.as_ref().unwrap()), "rg-app");
    assert!(model.workload_of(site).is_some());
    let _ = module;
    // Outer scope, targeting a subscription: variables of the outer template, the module
    // output followed back to the site's system identity.
    let (inner_assignment, inner) =
        resource(&model, "resources[2].properties.template.resources[0]");
    let description = inner.body.path("properties.description").unwrap();
    assert_eq!(description.as_str(), Some("outer-value"));
    let assignment = model
        .role_assignments
        .iter()
        .find(|a| a.resource == inner_assignment)
        .unwrap();
    assert_eq!(assignment.scope, ScopeKind::Subscription);
    assert_eq!(
        text(&assignment.scope_value),
        "/subscriptions/11111111-1111-1111-1111-111111111111"
    );
    assert_eq!(assignment.principal, Principal::SystemAssigned(site));
    assert!(matches!(assignment.role, Role::BuiltIn(r) if r.name == "Owner"));
    // Spans point into the nested template.
    let span = assignment.role_value.span;
    assert!(db.get(span.file).slice(span).contains("8e3af657"));
    // Inputs of nested inner-scoped templates are reported with their call path.
    let inner_input = model.inputs.iter().find(|i| i.name == "siteName").unwrap();
    assert_eq!(inner_input.call_path.len(), 1);
}

#[test]
fn scope_kinds_by_schema() {
    let template = |schema: &str, scope: Option<&str>| {
        let scope = scope.map_or(String::new(), |s| format!("\"scope\": \"{s}\","));
        format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-08-01/{schema}#",
            "resources": [{{"type": "Microsoft.Authorization/roleAssignments", "name": "x", {scope}
              "properties": {{"roleDefinitionId": "[tenantResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]", "principalId": "p"}}}}]}}"#
        )
    };
    let kind = |text: String| {
        let loaded = inline(&text);
        assert!(loaded.invalid_files.is_empty());
        loaded.models[0].role_assignments[0].scope
    };
    assert_eq!(
        kind(template("tenantDeploymentTemplate.json", None)),
        ScopeKind::Root
    );
    assert_eq!(
        kind(template("managementGroupDeploymentTemplate.json", None)),
        ScopeKind::ManagementGroup
    );
    assert_eq!(
        kind(template("subscriptionDeploymentTemplate.json", None)),
        ScopeKind::Subscription
    );
    assert_eq!(
        kind(template("deploymentTemplate.json", None)),
        ScopeKind::ResourceGroup
    );
    assert_eq!(
        kind(template(
            "deploymentTemplate.json",
            Some("[resourceId('Microsoft.Storage/storageAccounts', 'sa')]")
        )),
        ScopeKind::Resource
    );
    let legacy = format!(
        r#"{{"$schema": "{RG_SCHEMA}", "resources": [{{
            "type": "Microsoft.Storage/storageAccounts/providers/roleAssignments",
            "name": "[concat('sa', '/Microsoft.Authorization/', guid('x'))]",
            "properties": {{"roleDefinitionId": "x", "principalId": "p"}}}}]}}"#
    );
    assert_eq!(kind(legacy), ScopeKind::Resource);
    assert_eq!(
        kind(template(
            "tenantDeploymentTemplate.json",
            Some("[managementGroup('mg').id]")
        )),
        ScopeKind::ManagementGroup
    );
}

#[test]
fn resource_id_shapes() {
    let ids = [
        (
            "deploymentTemplate.json",
            "[resourceId('Microsoft.Web/sites/config', 'app', 'web')]",
            "/subscriptions/<?>/resourceGroups/<?>/providers/Microsoft.Web/sites/app/config/web",
            ScopeKind::Resource,
        ),
        (
            "deploymentTemplate.json",
            "[resourceId('other-rg', 'Microsoft.Web/sites', 'app')]",
            "/subscriptions/<?>/resourceGroups/other-rg/providers/Microsoft.Web/sites/app",
            ScopeKind::Resource,
        ),
        (
            "deploymentTemplate.json",
            "[subscriptionResourceId('sub', 'Microsoft.Authorization/roleDefinitions', 'r')]",
            "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/r",
            ScopeKind::Resource,
        ),
        (
            "deploymentTemplate.json",
            "[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'l')]",
            "/subscriptions/<?>/resourceGroups/<?>/providers/Microsoft.Authorization/locks/l",
            ScopeKind::Resource,
        ),
        (
            "deploymentTemplate.json",
            "[subscription().id]",
            "/subscriptions/<?>",
            ScopeKind::Subscription,
        ),
        (
            "deploymentTemplate.json",
            "[resourceGroup().id]",
            "/subscriptions/<?>/resourceGroups/<?>",
            ScopeKind::ResourceGroup,
        ),
        (
            "managementGroupDeploymentTemplate.json",
            "[managementGroup().id]",
            "/providers/Microsoft.Management/managementGroups/<?>",
            ScopeKind::ManagementGroup,
        ),
        (
            "subscriptionDeploymentTemplate.json",
            "[resourceId('Microsoft.Resources/resourceGroups', 'rg')]",
            "/subscriptions/<?>/providers/Microsoft.Resources/resourceGroups/rg",
            ScopeKind::Resource,
        ),
    ];
    for (schema, expression, expected, kind) in ids {
        let loaded = inline(&format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-08-01/{schema}#",
               "resources": [{{"type": "Microsoft.Test/things", "name": "x", "properties": {{"id": "{expression}"}}}}]}}"#
        ));
        let value = loaded.models[0].resources[0]
            .body
            .path("properties.id")
            .unwrap();
        assert_eq!(text(value), expected, "{expression}");
        assert_eq!(ScopeKind::of(value), kind, "{expression}");
    }
}

/// Names are evaluated while resources are still being declared. A variable that looked up a
/// resource declared later is evaluated again for the bodies; one that looked up nothing is not
/// (and gives the same value either way).
#[test]
fn values_read_before_a_declaration_are_evaluated_again() {
    let loaded = inline(&format!(
        r#"{{"$schema": "{RG_SCHEMA}",
           "variables": {{
             "key": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '1').keys[0].value]",
             "prefix": "app"
           }},
           "resources": [
             {{"type": "Microsoft.Test/things", "name": "[concat(variables('prefix'), length(variables('key')))]",
               "properties": {{"key": "[variables('key')]", "prefix": "[variables('prefix')]"}}}},
             {{"type": "Microsoft.Storage/storageAccounts", "name": "sa"}}
           ]}}"#
    ));
    assert!(loaded.invalid_files.is_empty());
    let body = &loaded.models[0].resources[0].body;
    let key = body.path("properties.key").unwrap();
    assert!(
        matches!(&key.kind, ValueKind::Ref(r) if r.secret && r.resource == Some(1)),
        "{:?}",
        key.kind
    );
    assert_eq!(text(body.path("properties.prefix").unwrap()), "app");
}

#[test]
fn unsupported_functions_are_unknown_and_keep_references() {
    let loaded = thing_after(
        STORAGE_ACCOUNT,
        "",
        r#"
               "a": "[someFutureFunction(listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '1').keys[0].value)]",
               "b": "[concat('x' 'y')]",
               "c": "[uniqueString(resourceGroup().id)]",
               "d": "[if(equals(1, 1), 'yes', 'no')]",
               "e": "[coalesce(null(), 'fallback')]",
               "f": "[split('a,b', ',')[1]]",
               "g": "[json('{\"k\": [1, 2]}').k[1]]",
               "h": "[createObject('a', createArray(1, 2)).a[0]]",
               "i": "[substring('abcdef', 1, 3)]",
               "j": "[replace(toUpper('abc'), 'B', '-')]",
               "k": "[length(union(createObject('a', 1), createObject('b', 2)))]",
               "l": "[base64('foo')]",
               "m": "[and(true, not(false), contains('abc', 'b'), empty(''))]",
               "n": "[last(take(skip(createArray(1, 2, 3, 4), 1), 2))]",
               "o": "[tryGet(createObject('a', createObject('b', 'deep')), 'a', 'b')]",
               "p": "[tryGet(createObject('a', 1), 'missing')]",
               "q": "[tryGet(reference(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '1', 'full'), 'identity', 'principalId')]",
               "r": "[uri('https://st.blob.core.windows.net/c/main.json', 'nested/vm.json?sv=1')]",
               "s": "[uri('https://st.blob.core.windows.net/c/', '/other/vm.json')]",
               "t": "[uri(deployment().properties.templateLink.uri, 'nested/vm.json')]"
"#,
    );
    assert!(loaded.invalid_files.is_empty());
    let body = &loaded.models[0].resources[1].body;
    let a = body.path("properties.a").unwrap();
    let ValueKind::Unknown(refs) = &a.kind else {
        panic!("{:?}", a.kind)
    };
    assert!(refs.iter().any(|r| r.secret && r.resource == Some(0)));
    assert!(matches!(
        body.path("properties.b").unwrap().kind,
        ValueKind::Unknown(_)
    ));
    let c = body.path("properties.c").unwrap();
    assert!(matches!(&c.kind, ValueKind::Unknown(refs) if refs.iter().all(|r| !r.secret)));
    let get = |key: &str| text(body.path(&format!("properties.{key}")).unwrap());
    assert_eq!(get("d"), "yes");
    assert_eq!(get("e"), "fallback");
    assert_eq!(get("f"), "b");
    assert_eq!(get("g"), "2");
    assert_eq!(get("h"), "1");
    assert_eq!(get("i"), "bcd");
    assert_eq!(get("j"), "A-C");
    assert_eq!(get("k"), "2");
    assert_eq!(get("l"), "Zm9v");
    assert_eq!(get("m"), "true");
    assert_eq!(get("n"), "3");
    assert_eq!(get("o"), "deep");
    assert!(body.path("properties.p").unwrap().is_null());
    let q = body.path("properties.q").unwrap();
    assert!(
        matches!(&q.kind, ValueKind::Ref(r) if &*r.attribute == "identity.principalId" && r.resource == Some(0))
    );
    assert_eq!(
        get("r"),
        "https://st.blob.core.windows.net/c/nested/vm.json?sv=1"
    );
    assert_eq!(get("s"), "https://st.blob.core.windows.net/other/vm.json");
    // The folder of an unknown base is unknown; the relative part stays known.
    assert_eq!(get("t"), "<?>nested/vm.json");
}

#[test]
fn string_array_and_object_functions_of_newer_templates() {
    let loaded = thing_after(
        STORAGE_ACCOUNT,
        "",
        r#"
               "pad": "[concat('vm', padLeft(add(1, 6), 3, '0'))]",
               "padded": "[padLeft('abcd', 2, '0')]",
               "joined": "[join(createArray('a', 'b', 'c'), '-')]",
               "joinedUnknown": "[join(createArray('rg', parameters('missing')), '-')]",
               "index": "[indexOf('Microsoft.Web/Sites', 'SITES')]",
               "lastIndex": "[lastIndexOf('a/b/a', 'a')]",
               "notFound": "[indexOf('abc', 'z')]",
               "flat": "[length(flatten(createArray(createArray(1, 2), createArray(3))))]",
               "merged": "[shallowMerge(createArray(createObject('A', '1', 'B', createObject('x', 1)), createObject('B', createObject('y', 2))))]",
               "mergedKeys": "[shallowMerge(createArray(createObject('k', listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '1').keys[0].value)))]"
"#,
    );
    let body = &loaded.models[0].resources[1].body;
    let get = |key: &str| text(body.path(&format!("properties.{key}")).unwrap());
    assert_eq!(get("padded"), "abcd");
    assert_eq!(get("joined"), "a-b-c");
    assert_eq!(get("joinedUnknown"), "rg-<?>");
    assert_eq!(get("index"), "14");
    assert_eq!(get("lastIndex"), "4");
    assert_eq!(get("notFound"), "-1");
    assert_eq!(get("flat"), "3");
    assert_eq!(get("merged.A"), "1");
    // Merged at the top level only: the later `B` replaces the earlier one whole.
    assert!(body.path("properties.merged.B.x").is_none());
    assert_eq!(get("merged.B.y"), "2");
    let key = body.path("properties.mergedKeys.k").unwrap();
    assert!(
        matches!(&key.kind, ValueKind::Unknown(refs) if refs.iter().any(|r| r.secret))
            || matches!(&key.kind, ValueKind::Ref(r) if r.secret),
        "{:?}",
        key.kind
    );
    assert_eq!(get("pad"), "vm007");
}

#[test]
fn reference_properties_that_are_secrets() {
    let loaded = thing_after(
        APP_INSIGHTS,
        "",
        r#"
               "cs": "[reference(resourceId('Microsoft.Insights/components', 'ai'), '2020-02-02').ConnectionString]",
               "full": "[reference(resourceId('Microsoft.Insights/components', 'ai'), '2020-02-02', 'Full').properties.ConnectionString]",
               "id": "[reference(resourceId('Microsoft.Insights/components', 'ai')).AppId]"
"#,
    );
    let body = &loaded.models[0].resources[1].body;
    let reference = |key: &str| match &body.path(&format!("properties.{key}")).unwrap().kind {
        ValueKind::Ref(r) => r.clone(),
        other => panic!("{other:?}"),
    };
    let cs = reference("cs");
    assert_eq!(cs.resource, Some(0));
    assert_eq!(&*cs.attribute, "ConnectionString");
    assert!(cs.secret);
    assert!(reference("full").secret);
    assert!(!reference("id").secret);
}

#[test]
fn non_templates_are_skipped_and_invalid_templates_reported() {
    let loaded = inline(r#"{"name": "package", "version": "1.0.0"}"#);
    assert!(loaded.models.is_empty() && loaded.invalid_files.is_empty());
    let loaded = inline("{ this is not json");
    assert!(loaded.models.is_empty() && loaded.invalid_files.is_empty());
    let text = format!(
        "{{\n  \"$schema\": \"{RG_SCHEMA}\",\n  \"resources\": [\n    {{ \"type\": \"a\" \"name\": \"b\" }}\n  ]\n}}"
    );
    let (db, loaded) = load_files(&[("broken.json", Some(&text))], &[]);
    assert!(loaded.models.is_empty());
    let [diagnostic] = loaded.invalid_files.as_slice() else {
        panic!("{:?}", loaded.invalid_files)
    };
    let span = diagnostic.primary.span;
    assert_eq!(db.get(span.file).line_col(span.start), (4, 18));
    assert!(
        diagnostic.message.contains("not valid JSON"),
        "{}",
        diagnostic.message
    );
    assert_eq!(diagnostic.anchor, db.get(FileId(0)).display);
}

#[test]
fn hostile_input_does_not_crash() {
    let deep_json = format!(
        "{{\"$schema\": \"{RG_SCHEMA}\", \"x\": {}",
        "[".repeat(100_000)
    );
    let loaded = inline(&deep_json);
    assert_eq!(loaded.invalid_files.len(), 1);
    let deep_string = format!(
        r#"{{"$schema": "{RG_SCHEMA}", "resources": [{{"type": "A.B/c", "name": "{}", "properties": {{"x": "[{}]", "y": "[{}1{}]"}}}}]}}"#,
        "[".repeat(100_000),
        "[".repeat(100_000),
        "concat(".repeat(10_000),
        ")".repeat(10_000),
    );
    let loaded = inline(&deep_string);
    assert!(loaded.invalid_files.is_empty());
    assert_eq!(loaded.models[0].resources.len(), 1);
    // Self-referencing parameters and variables, outputs and garbage in every slot.
    let garbage = format!(
        r#"{{"$schema": "{RG_SCHEMA}",
           "parameters": {{"p": {{"type": "string", "defaultValue": "[parameters('p')]"}}}},
           "variables": {{"v": "[variables('v')]", "copy": [{{"name": "c", "count": 1000000000, "input": "[variables('c')]"}}]}},
           "resources": [1, "x", null, {{"type": 5}}, {{"copy": {{"count": -3}}, "type": "A.B/c", "name": "[copyIndex(parameters('p'))]"}},
             {{"type": "Microsoft.Resources/deployments", "name": "d", "properties": {{"template": {{"resources": {{"a": 1}}}}, "parameters": 5}}}}],
           "outputs": {{"o": {{"value": "[reference(variables('v')).x[parameters('p')]]"}}, "c": {{"copy": {{"count": 2, "input": "[copyIndex()]"}}}}}}}}"#
    );
    let loaded = inline(&garbage);
    assert!(loaded.invalid_files.is_empty());
    assert_eq!(loaded.models.len(), 1);
}

/// Resolution statistics over the shared corpus: `cargo test --release --test arm_frontend
/// corpus -- --ignored --nocapture`.
#[test]
#[ignore]
fn corpus_statistics() {
    use std::collections::BTreeMap;
    let root = std::path::Path::new("/work/shared/corpus/arm");
    if !root.exists() {
        return;
    }
    let mut db = SourceDb::default();
    let mut ids = Vec::new();
    for d in idlint::discover::walk(root, &|_: &std::path::Path| false) {
        let Ok(text) = std::fs::read_to_string(&d.path) else {
            continue;
        };
        ids.push(db.add(SourceFile::new(d.path, d.kind, text, true)));
    }
    let start = std::time::Instant::now();
    let loaded = idlint::arm::load(&db, &ids, &[]);
    eprintln!("load: {:?} for {} files", start.elapsed(), ids.len());
    let mut stats: BTreeMap<String, usize> = BTreeMap::new();
    let mut bump = |key: String| *stats.entry(key).or_default() += 1;
    for model in &loaded.models {
        bump("templates".into());
        for r in &model.resources {
            bump("resources".into());
            if !r.call_path.is_empty() {
                bump("resources in nested deployments".into());
            }
        }
        for a in &model.role_assignments {
            bump(format!(
                "assignment principal {:?}",
                std::mem::discriminant(&a.principal)
            ));
            let principal = match a.principal {
                Principal::SystemAssigned(_) => "system",
                Principal::UserAssigned(_) => "user",
                Principal::Other => "other",
            };
            bump(format!("assignment principal {principal}"));
            let role = match a.role {
                Role::BuiltIn(_) => "builtin",
                Role::Custom(_) => "custom",
                Role::Unknown => "unknown",
            };
            bump(format!("assignment role {role}"));
            if std::env::var("DUMP").is_ok() && matches!(a.role, Role::Unknown) {
                eprintln!(
                    "ROLE {} AT {}",
                    text(&a.role_value),
                    db.get(a.role_value.span.file).slice(a.role_value.span)
                );
            }
            if std::env::var("DUMP").is_ok() && matches!(a.principal, Principal::Other) {
                eprintln!(
                    "PRINCIPAL {} AT {}",
                    text(&a.principal_value),
                    db.get(a.principal_value.span.file)
                        .slice(a.principal_value.span)
                );
            }
            bump(format!("assignment scope {:?}", a.scope));
        }
        for w in &model.workloads {
            bump("workloads".into());
            for u in &w.identity.user_assigned {
                bump(format!("uai ref resolved={}", u.target.is_some()));
            }
        }
        for s in &model.settings {
            bump(format!("setting {:?} known={}", s.kind, s.value.is_known()));
        }
        for p in &model.access_policies {
            bump(format!("access policy vault={}", p.vault.is_some()));
        }
        for f in &model.federated_credentials {
            bump(format!("federated identity={}", f.identity.is_some()));
        }
        bump(format!("identities+{}", model.identities.len().min(1)));
        for o in &model.outputs {
            if o.value.refs().iter().any(|r| r.secret) {
                bump("outputs with secret refs".into());
            }
        }
    }
    for (key, count) in stats {
        if !key.contains("Discriminant") {
            eprintln!("{key}: {count}");
        }
    }
    for d in &loaded.invalid_files {
        eprintln!("IDL001 {} {}", d.anchor, d.message);
    }
}

#[test]
fn lambda_functions_evaluate_over_known_values() {
    let loaded = thing_after(
        STORAGE_ACCOUNT,
        r#"
             "apps": [{"name": "web", "tier": 2}, {"name": "api", "tier": 1}, {"name": "job", "tier": 2}]
"#,
        r#"
               "map": "[map(variables('apps'), lambda('app', 'i', format('{0}{1}', lambdaVariables('app').name, lambdaVariables('i'))))]",
               "filter": "[filter(variables('apps'), lambda('app', equals(lambdaVariables('app').tier, 2)))]",
               "reduce": "[reduce(variables('apps'), 0, lambda('sum', 'app', add(lambdaVariables('sum'), lambdaVariables('app').tier)))]",
               "sort": "[sort(variables('apps'), lambda('a', 'b', less(lambdaVariables('a').tier, lambdaVariables('b').tier)))]",
               "toObject": "[toObject(variables('apps'), lambda('app', lambdaVariables('app').name), lambda('app', lambdaVariables('app').tier))]",
               "toObjectWhole": "[toObject(variables('apps'), lambda('app', lambdaVariables('app').name)).api.tier]",
               "mapValues": "[mapValues(createObject('a', 1, 'b', 2), lambda('n', mul(lambdaVariables('n'), 10)))]",
               "groupBy": "[groupBy(variables('apps'), lambda('app', string(lambdaVariables('app').tier)))]",
               "items": "[map(items(createObject('b', 2, 'A', 1)), lambda('e', lambdaVariables('e').key))]",
               "unbound": "[lambdaVariables('nobody')]",
               "opaque": "[map(listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '1').keys, lambda('k', lambdaVariables('k').value))]",
               "unknownPredicate": "[filter(variables('apps'), lambda('app', equals(lambdaVariables('app').name, uniqueString(resourceGroup().id))))]",
               "tooMuch": "[length(map(range(0, 200), lambda('i', map(range(0, 200), lambda('j', lambdaVariables('j'))))))]"
"#,
    );
    assert!(loaded.invalid_files.is_empty());
    let body = &loaded.models[0].resources[1].body;
    let get = |key: &str| body.path(&format!("properties.{key}")).unwrap();
    let texts = |value: &Value| -> Vec<String> { value.items().iter().map(text).collect() };
    let names = |value: &Value| -> Vec<String> {
        value
            .items()
            .iter()
            .map(|v| text(v.get("name").unwrap()))
            .collect()
    };
    assert_eq!(texts(get("map")), ["web0", "api1", "job2"]);
    assert_eq!(names(get("filter")), ["web", "job"]);
    assert_eq!(text(get("reduce")), "5");
    // Stable: of the two tier-2 apps, `web` stays before `job`.
    assert_eq!(names(get("sort")), ["api", "web", "job"]);
    let to_object = get("toObject");
    let keys: Vec<&str> = to_object.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["web", "api", "job"]);
    assert_eq!(text(to_object.get("api").unwrap()), "1");
    assert_eq!(text(get("toObjectWhole")), "1");
    assert_eq!(text(get("mapValues").get("b").unwrap()), "20");
    assert_eq!(names(get("groupBy").get("2").unwrap()), ["web", "job"]);
    // ARM lists an object's items by key in alphabetical order.
    assert_eq!(texts(get("items")), ["A", "b"]);
    assert!(matches!(get("unbound").kind, ValueKind::Unknown(_)));
    // Over an input nobody knows, the result is unknown but keeps the secret it came from.
    let opaque = get("opaque");
    assert!(
        matches!(&opaque.kind, ValueKind::Unknown(refs) if refs.iter().any(|r| r.secret && r.resource == Some(0))),
        "{:?}",
        opaque.kind
    );
    assert!(matches!(
        get("unknownPredicate").kind,
        ValueKind::Unknown(_)
    ));
    // 40,000 lambda calls are past the budget: unknown, not minutes of work.
    assert!(matches!(get("tooMuch").kind, ValueKind::Unknown(_)));
}

#[test]
fn user_defined_functions_evaluate_their_output() {
    let loaded = inline(&format!(
        r#"{{"$schema": "{RG_SCHEMA}",
             "functions": [{{"namespace": "__bicep", "members": {{
               "storageName": {{"parameters": [{{"name": "app", "type": "string"}}, {{"name": "env", "type": "string"}}],
                                "output": {{"type": "string", "value": "[toLower(format('st{{0}}{{1}}', parameters('app'), parameters('env')))]"}}}},
               "keyOf": {{"parameters": [{{"name": "id", "type": "string"}}],
                          "output": {{"type": "string", "value": "[listKeys(parameters('id'), '2023-01-01').keys[0].value]"}}}},
               "twice": {{"parameters": [{{"name": "s", "type": "string"}}],
                          "output": {{"type": "string", "value": "[concat(__bicep.twice(parameters('s')), __bicep.twice(parameters('s')))]"}}}},
               "outer": {{"parameters": [],
                          "output": {{"type": "string", "value": "[parameters('app')]"}}}},
               "suffix": {{"output": {{"type": "string", "value": "-prod"}}}}
             }}}}],
             "parameters": {{"app": {{"type": "string", "defaultValue": "Orders"}}}},
             "resources": [
               {{"type": "Microsoft.Storage/storageAccounts", "name": "[__bicep.storageName(parameters('app'), 'Prod')]"}},
               {{"type": "Microsoft.Test/things", "name": "x", "properties": {{
                  "constant": "[concat('web', __bicep.suffix())]",
                  "key": "[__BICEP.keyOf(resourceId('Microsoft.Storage/storageAccounts', 'stordersprod'))]",
                  "recursive": "[__bicep.twice('a')]",
                  "undefined": "[__bicep.nobody(listKeys('x', '1').primaryKey)]",
                  "outer": "[__bicep.outer()]"
               }}}}
             ]}}"#
    ));
    assert!(loaded.invalid_files.is_empty());
    let model = &loaded.models[0];
    assert_eq!(model.resources[0].name.as_str(), Some("stordersprod"));
    let body = &model.resources[1].body;
    let get = |key: &str| body.path(&format!("properties.{key}")).unwrap();
    let secret = |v: &Value| v.refs().iter().any(|r| r.secret);
    // The key a function returns is still a key, of the storage account it names.
    let key = get("key");
    assert!(
        key.refs().iter().any(|r| r.secret && r.resource == Some(0)),
        "{:?}",
        key.kind
    );
    // Recursion runs into the budget instead of the stack or the clock: not a known string.
    assert_eq!(get("recursive").as_str(), None);
    // A function the template does not define depends on its arguments.
    assert!(secret(get("undefined")));
    // A function sees its own parameters only, not the template's.
    assert!(matches!(get("outer").kind, ValueKind::Unknown(_)));
    // A function without parameters may leave them out.
    assert_eq!(get("constant").as_str(), Some("web-prod"));
}

#[test]
fn linked_templates_take_their_parameters_and_give_their_outputs() {
    // The link is a URL through this template's own folder (`linked/`) to a file beside it.
    let (db, loaded) = load_files(
        &[
            ("linked/azuredeploy.json", None),
            ("linked/nested/storage.json", None),
        ],
        &[],
    );
    // The linked template is checked where it is linked, not again on its own defaults.
    assert_eq!(loaded.models.len(), 1);
    let model = &loaded.models[0];
    let (storage, account) = resource(model, "resources[0].properties.templateLink.resources[0]");
    let file = &db.get(account.span.file).path;
    assert!(file.ends_with("linked/nested/storage.json"), "{file:?}");
    assert_eq!(account.name.as_str(), Some("stlinked"));
    let (_, deployment) = resource(model, "resources[0]");
    assert_eq!(account.call_path, vec![deployment.span]);
    let connection = setting(model, "STORAGE");
    let key = connection
        .value
        .refs()
        .into_iter()
        .find(|r| r.text.starts_with("listKeys"))
        .unwrap_or_else(|| panic!("{:?}", connection.value.kind));
    assert!(key.secret);
    assert_eq!(key.resource, Some(storage));
}

#[test]
fn a_raw_github_url_links_a_file_of_the_same_repository() {
    // The quickstarts link shared modules by their published URL; a clone of the repository
    // holds them under its own root folder.
    let caller = format!(
        r#"{{"$schema": "{RG_SCHEMA}", "resources": [
             {{"type": "Microsoft.Resources/deployments", "name": "storage",
               "properties": {{"mode": "Incremental",
                 "templateLink": {{"uri": "https://raw.githubusercontent.com/Azure/quickstarts-repo/master/modules/storage/1.0/azuredeploy.json"}},
                 "parameters": {{"accountName": {{"value": "stfromcaller"}}}}}}}}
           ]}}"#
    );
    let module = format!(
        r#"{{"$schema": "{RG_SCHEMA}",
             "parameters": {{"accountName": {{"type": "string", "defaultValue": "stdefault"}}}},
             "resources": [{{"type": "Microsoft.Storage/storageAccounts",
                             "name": "[parameters('accountName')]"}}]}}"#
    );
    let (db, loaded) = load_files(
        &[
            (
                "quickstarts-repo/quickstarts/web/app/azuredeploy.json",
                Some(&caller),
            ),
            (
                "quickstarts-repo/modules/storage/1.0/azuredeploy.json",
                Some(&module),
            ),
        ],
        &[],
    );
    // The module is checked where it is linked, with the caller's parameters.
    assert_eq!(loaded.models.len(), 1);
    let (_, account) = resource(
        &loaded.models[0],
        "resources[0].properties.templateLink.resources[0]",
    );
    let file = &db.get(account.span.file).path;
    assert!(
        file.ends_with("modules/storage/1.0/azuredeploy.json"),
        "{file:?}"
    );
    assert_eq!(account.name.as_str(), Some("stfromcaller"));
}

#[test]
fn a_parameters_link_supplies_the_file_it_names_or_leaves_the_parameters_unknown() {
    let deployment = |name: &str, parameters_uri: &str| {
        format!(
            r#"{{"type": "Microsoft.Resources/deployments", "name": "{name}",
                 "properties": {{"mode": "Incremental",
                   "templateLink": {{"relativePath": "nested/storage.json"}},
                   "parametersLink": {{"uri": "{parameters_uri}"}}}}}}"#
        )
    };
    let caller = format!(
        r#"{{"$schema": "{RG_SCHEMA}",
             "parameters": {{"_artifactsLocation": {{"type": "string"}}}},
             "resources": [{}, {}]}}"#,
        deployment(
            "local",
            "[uri(parameters('_artifactsLocation'), 'nested/storage.parameters.json')]"
        ),
        deployment("remote", "https://example.com/prod.parameters.json"),
    );
    let module = format!(
        r#"{{"$schema": "{RG_SCHEMA}",
             "parameters": {{"accountName": {{"type": "string", "defaultValue": "stdefault"}}}},
             "resources": [{{"type": "Microsoft.Storage/storageAccounts",
                             "name": "[parameters('accountName')]"}}]}}"#
    );
    let parameters = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
                         "parameters": {"accountName": {"value": "stfromfile"}}}"#;
    let (_, loaded) = load_files(
        &[
            ("plink/azuredeploy.json", Some(&caller)),
            ("plink/nested/storage.json", Some(&module)),
            ("plink/nested/storage.parameters.json", Some(parameters)),
        ],
        &[],
    );
    assert_eq!(loaded.models.len(), 1);
    let model = &loaded.models[0];
    let account = |deployment: usize| {
        let address = format!("resources[{deployment}].properties.templateLink.resources[0]");
        resource(model, &address).1
    };
    // The linked parameter file's value.
    assert_eq!(account(0).name.as_str(), Some("stfromfile"));
    // A parameter file elsewhere: the name is not known, and not the template's default.
    assert_eq!(account(1).name.as_str(), None);
    assert!(
        matches!(account(1).name.kind, ValueKind::Unknown(_)),
        "{:?}",
        account(1).name.kind
    );
}

#[test]
fn linked_templates_that_link_each_other_are_each_checked() {
    let link = |to: &str| {
        format!(
            r#"{{"$schema": "{RG_SCHEMA}", "resources": [
                 {{"type": "Microsoft.Resources/deployments", "name": "next",
                   "properties": {{"templateLink": {{"relativePath": "{to}"}}}}}},
                 {STORAGE_ACCOUNT}
               ]}}"#
        )
    };
    let (a, b) = (link("b.json"), link("a.json"));
    let (_, loaded) = load_files(&[("a.json", Some(&a)), ("b.json", Some(&b))], &[]);
    assert_eq!(loaded.models.len(), 2);
    // Each follows the other once, and not back into itself.
    for model in &loaded.models {
        let accounts = model
            .resources
            .iter()
            .filter(|r| r.resource_type == "Microsoft.Storage/storageAccounts")
            .count();
        assert_eq!(accounts, 2);
    }
}

#[test]
fn a_template_cut_off_by_the_link_limit_is_checked_on_its_own() {
    // `k` follows 255 deployments of `x` and one of `d`, then stops at its limit of 256: the
    // deployment of `t` in `d` is not followed. `d`, checked through `k`, is not reported on
    // its own, so `t` was reported nowhere.
    let deployment = |to: &str, copies: usize| {
        format!(
            r#"{{"type": "Microsoft.Resources/deployments", "name": "[concat('{to}', copyIndex())]",
                 "copy": {{"name": "c", "count": {copies}}},
                 "properties": {{"templateLink": {{"relativePath": "{to}.json"}}}}}}"#
        )
    };
    let template = |resources: &[&str]| {
        format!(
            r#"{{"$schema": "{RG_SCHEMA}", "resources": [{}]}}"#,
            resources.join(",")
        )
    };
    let k = template(&[&deployment("x", 255), &deployment("d", 1)]);
    let x = template(&[]);
    let d = template(&[&deployment("t", 1)]);
    let t = template(&[STORAGE_ACCOUNT]);
    let files = [
        ("d.json", Some(d.as_str())),
        ("k.json", Some(k.as_str())),
        ("t.json", Some(t.as_str())),
        ("x.json", Some(x.as_str())),
    ];
    let (_, loaded) = load_files(&files, &[]);
    let accounts: Vec<&str> = loaded
        .models
        .iter()
        .flat_map(|model| &model.resources)
        .filter(|r| r.resource_type == "Microsoft.Storage/storageAccounts")
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(accounts, ["resources[0]"]);
}
