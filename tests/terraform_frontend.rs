//! The Terraform front end on small configurations written to a temporary directory.

use std::path::Path;

use idlint::frontend::Loaded;
use idlint::model::{Model, Principal, Role, ScopeKind, SettingKind, Value, ValueKind};
use idlint::source::{FileKind, SourceDb, SourceFile};
use idlint::span::{FileId, Span};

struct Scan {
    db: SourceDb,
    loaded: Loaded,
    /// Removed when the scan is dropped.
    root: tempfile::TempDir,
}

fn kind_of(path: &Path) -> FileKind {
    idlint::discover::classify(path).unwrap_or(FileKind::Terraform)
}

/// Writes `files` (path, text) under a fresh directory and loads the scanned ones; files whose
/// path starts with `!` are written but not scanned, and `var_files` are `--var-file`s.
fn scan(files: &[(&str, &str)], var_files: &[(&str, &str)]) -> Scan {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut db = SourceDb::default();
    let mut ids = Vec::new();
    for (name, text) in files {
        let (scanned, name) = match name.strip_prefix('!') {
            Some(n) => (false, n),
            None => (true, *name),
        };
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        if scanned {
            ids.push(db.add(SourceFile::new(
                path.clone(),
                kind_of(&path),
                text.to_string(),
                true,
            )));
        }
    }
    let mut var_ids = Vec::new();
    for (name, text) in var_files {
        let path = root.join(name);
        std::fs::write(&path, text).unwrap();
        var_ids.push(db.add(SourceFile::new(
            path,
            FileKind::TerraformVars,
            text.to_string(),
            false,
        )));
    }
    let loaded = idlint::terraform::load(&mut db, &ids, &var_ids);
    Scan {
        db,
        loaded,
        root: dir,
    }
}

impl Scan {
    fn text(&self, span: Span) -> &str {
        self.db.get(span.file).slice(span)
    }

    fn file_name(&self, file: FileId) -> String {
        self.db
            .get(file)
            .path
            .strip_prefix(self.root.path())
            .unwrap_or(&self.db.get(file).path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    fn model(&self) -> &Model {
        assert!(
            self.loaded.invalid_files.is_empty(),
            "{:?}",
            self.loaded.invalid_files
        );
        assert_eq!(self.loaded.models.len(), 1, "one root expected");
        &self.loaded.models[0]
    }
}

fn resource<'m>(model: &'m Model, address: &str) -> &'m idlint::model::Resource {
    model
        .resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| {
            let all: Vec<&str> = model.resources.iter().map(|r| r.address.as_str()).collect();
            panic!("no {address} among {all:?}")
        })
}

/// The tag `name` of the resource at `address` in the one root of `scan`.
fn tag<'s>(scan: &'s Scan, address: &str, name: &str) -> &'s Value {
    let tags = resource(scan.model(), address).body.get("tags");
    tags.and_then(|t| t.get(name))
        .unwrap_or_else(|| panic!("no tag {name} on {address}"))
}

fn text_of(v: &Value) -> String {
    v.text_with_holes("?")
        .unwrap_or_else(|| format!("{:?}", v.kind))
}

#[test]
fn variables_from_defaults_tfvars_and_var_files_with_spans() {
    let main = r#"
variable "a" {
  default = "from-default"
}
variable "b" {
  default = "b-default"
}
variable "c" {}
variable "d" {}
locals {
  name = "rg-${var.a}-${var.b}"
}
resource "azurerm_resource_group" "rg" {
  name     = local.name
  location = var.c
  tags     = { d = var.d }
}
"#;
    let s = scan(
        &[
            ("main.tf", main),
            ("terraform.tfvars", "b = \"b-tfvars\"\nc = \"c-tfvars\"\n"),
            ("z.auto.tfvars", "c = \"c-auto\"\n"),
        ],
        &[("extra.tfvars", "d = \"d-var-file\"\n")],
    );
    let model = s.model();
    let rg = resource(model, "azurerm_resource_group.rg");
    assert_eq!(rg.name.as_str(), Some("rg-from-default-b-tfvars"));
    assert_eq!(s.text(rg.name.span), "local.name");
    assert_eq!(s.text(rg.name.origin.unwrap()), "\"rg-${var.a}-${var.b}\"");
    let location = rg.body.get("location").unwrap();
    assert_eq!(location.as_str(), Some("c-auto"));
    assert_eq!(s.text(location.span), "var.c");
    let origin = location.origin.unwrap();
    assert_eq!(s.file_name(origin.file), "z.auto.tfvars");
    assert_eq!(s.text(origin), "\"c-auto\"");
    let d = rg.body.path("tags.d").unwrap();
    assert_eq!(d.as_str(), Some("d-var-file"));
    let entry = rg.body.entry("location").unwrap();
    assert_eq!(s.text(entry.span.unwrap()), "location = var.c");
    assert_eq!(
        s.text(rg.span),
        "resource \"azurerm_resource_group\" \"rg\""
    );
}

/// Terraform reads `terraform.tfvars.json` after `terraform.tfvars`, and `*.auto.tfvars.json`
/// and a `-var-file` ending in `.json` in JSON syntax: one object of the variables' values.
#[test]
fn variables_from_json_variable_files() {
    let main = r#"
variable "e" {}
variable "f" {}
variable "g" {}
variable "h" {}
resource "azurerm_resource_group" "rg" {
  name = "rg-${var.e}-${var.f}-${var.g.k}"
  tags = { h = var.h }
}
"#;
    let s = scan(
        &[
            ("main.tf", main),
            ("terraform.tfvars", "e = \"e-hcl\"\nf = \"f-hcl\"\n"),
            ("terraform.tfvars.json", r#"{"e": "e-json"}"#),
            ("a.auto.tfvars.json", r#"{"g": {"k": "g-auto"}}"#),
        ],
        &[("extra.tfvars.json", r#"{"h": "h-var-file"}"#)],
    );
    let model = s.model();
    let rg = resource(model, "azurerm_resource_group.rg");
    assert_eq!(rg.name.as_str(), Some("rg-e-json-f-hcl-g-auto"));
    let h = rg.body.path("tags.h").unwrap();
    assert_eq!(h.as_str(), Some("h-var-file"));
    let origin = h.origin.unwrap();
    assert_eq!(s.file_name(origin.file), "extra.tfvars.json");
    assert_eq!(s.text(origin), "\"h-var-file\"");
}

#[test]
fn templates_keep_unknown_parts_as_holes() {
    let main = r#"
variable "sub" {}
resource "azurerm_role_assignment" "a" {
  scope                = "/subscriptions/${var.sub}/resourceGroups/rg-app"
  role_definition_name = "Reader"
  principal_id         = "00000000-0000-0000-0000-000000000000"
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let model = s.model();
    let assignment = &model.role_assignments[0];
    assert!(matches!(
        assignment.scope_value.kind,
        ValueKind::Template(_)
    ));
    assert_eq!(
        text_of(&assignment.scope_value),
        "/subscriptions/?/resourceGroups/rg-app"
    );
    assert_eq!(assignment.scope, ScopeKind::ResourceGroup);
    assert_eq!(assignment.principal, Principal::Other);
    assert!(matches!(assignment.role, Role::BuiltIn(r) if r.name == "Reader"));
    assert_eq!(s.text(assignment.role_value.span), "\"Reader\"");
}

#[test]
fn count_and_for_each_make_one_resource_per_instance() {
    let main = r#"
locals {
  apps = { web = "S1", api = "B1" }
}
resource "azurerm_user_assigned_identity" "id" {
  for_each            = local.apps
  name                = "id-${each.key}-${each.value}"
  resource_group_name = "rg"
  location            = "westeurope"
}
resource "azurerm_role_assignment" "r" {
  count                = 2
  scope                = "/subscriptions/s${count.index}"
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.id["web"].principal_id
}
variable "unknown_set" {}
resource "azurerm_user_assigned_identity" "u" {
  for_each            = var.unknown_set
  name                = each.key
  resource_group_name = "rg"
  location            = "westeurope"
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let model = s.model();
    let web = resource(model, "azurerm_user_assigned_identity.id[\"web\"]");
    assert_eq!(web.name.as_str(), Some("id-web-S1"));
    resource(model, "azurerm_user_assigned_identity.id[\"api\"]");
    let r1 = resource(model, "azurerm_role_assignment.r[1]");
    assert_eq!(
        r1.body.get("scope").unwrap().as_str(),
        Some("/subscriptions/s1")
    );
    let web_id = model
        .resources
        .iter()
        .position(|r| std::ptr::eq(r, web))
        .unwrap();
    assert!(
        model
            .role_assignments
            .iter()
            .all(|a| a.principal == Principal::UserAssigned(web_id))
    );
    let unknown = resource(model, "azurerm_user_assigned_identity.u");
    assert!(!unknown.name.is_known());
}

#[test]
fn a_keyed_resource_or_module_named_whole_is_its_instances() {
    let main = r#"
resource "azurerm_storage_account" "sa" {
  for_each = toset(["logs", "data"])
  name     = "st${each.key}"
}
resource "azurerm_user_assigned_identity" "id" {
  count = 2
  name  = "id-${count.index}"
}
variable "unknown_set" {}
resource "azurerm_storage_account" "u" {
  for_each = var.unknown_set
  name     = each.key
}
resource "azurerm_linux_web_app" "app" {
  name = "app"
  app_settings = {
    for k, sa in azurerm_storage_account.sa : "CONN_${k}" => sa.primary_connection_string
  }
  tags = {
    ids     = join(",", azurerm_user_assigned_identity.id[*].name)
    clients = azurerm_user_assigned_identity.id[*].client_id
    count   = length(azurerm_storage_account.sa)
    unknown = length(azurerm_storage_account.u)
  }
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let model = s.model();
    let app = resource(model, "azurerm_linux_web_app.app");
    let settings = app.body.get("app_settings").unwrap();
    let keys: Vec<&str> = settings.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["CONN_data", "CONN_logs"]);
    let ValueKind::Ref(conn) = &settings.get("CONN_logs").unwrap().kind else {
        panic!("{:?}", settings.get("CONN_logs"))
    };
    assert!(conn.secret);
    assert_eq!(
        &*conn.text,
        "azurerm_storage_account.sa[\"logs\"].primary_connection_string"
    );
    let tags = app.body.get("tags").unwrap();
    // The instances are references to the deployed resources, so `[*].name` is not known.
    assert!(!tags.get("ids").unwrap().is_known());
    // Each instance's reference reads as written for that instance.
    let clients: Vec<String> = tags
        .get("clients")
        .unwrap()
        .refs()
        .iter()
        .map(|r| r.text.to_string())
        .collect();
    assert_eq!(
        clients,
        [
            "azurerm_user_assigned_identity.id[0].client_id",
            "azurerm_user_assigned_identity.id[1].client_id"
        ]
    );
    assert_eq!(tags.get("count").unwrap().to_text().as_deref(), Some("2"));
    assert!(!tags.get("unknown").unwrap().is_known());
}

#[test]
fn dynamic_blocks_expand_and_unknown_identity_stays_unknown() {
    let main = r#"
variable "identity_type" {}
resource "azurerm_linux_web_app" "app" {
  name = "app"
  dynamic "connection_string" {
    for_each = { db = "Server=tcp:x;Password=p" }
    content {
      name  = connection_string.key
      type  = "SQLAzure"
      value = connection_string.value
    }
  }
  dynamic "identity" {
    for_each = var.identity_type == null ? [] : [var.identity_type]
    content {
      type = identity.value
    }
  }
  app_settings = {
    KEY = "value"
  }
}
resource "azurerm_linux_web_app" "static" {
  name = "static"
  dynamic "identity" {
    for_each = ["SystemAssigned"]
    content {
      type = identity.value
    }
  }
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let model = s.model();
    let cs: Vec<_> = model
        .settings
        .iter()
        .filter(|x| x.kind == SettingKind::ConnectionString)
        .collect();
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].name, "db");
    assert_eq!(cs[0].value.as_str(), Some("Server=tcp:x;Password=p"));
    let app = model
        .workloads
        .iter()
        .find(|w| {
            w.resource == 0 || model.resources[w.resource].address == "azurerm_linux_web_app.app"
        })
        .unwrap();
    assert_eq!(
        model.resources[app.resource].address,
        "azurerm_linux_web_app.app"
    );
    assert!(app.identity.span.is_some());
    assert_eq!(app.identity.system_assigned, None);
    assert_eq!(app.identity.has_any(), None);
    let fixed = model
        .workloads
        .iter()
        .find(|w| model.resources[w.resource].address == "azurerm_linux_web_app.static")
        .unwrap();
    assert_eq!(fixed.identity.system_assigned, Some(true));
    let setting = model
        .settings
        .iter()
        .find(|x| x.kind == SettingKind::AppSetting)
        .unwrap();
    assert_eq!(s.text(setting.span), "KEY = \"value\"");
    assert_eq!(s.text(setting.value.span), "\"value\"");
}

#[test]
fn module_arguments_flow_in_and_outputs_flow_out() {
    let root = r#"
module "app" {
  source   = "./modules/app"
  role     = "Contributor"
  app_name = "web-1"
}
resource "azurerm_role_assignment" "from_output" {
  scope                = "/subscriptions/0000"
  role_definition_name = "Reader"
  principal_id         = module.app.principal_id
}
"#;
    let child = r#"
variable "role" {}
variable "app_name" {}
resource "azurerm_resource_group" "rg" {
  name     = "rg-${var.app_name}"
  location = "westeurope"
}
resource "azurerm_user_assigned_identity" "id" {
  name                = var.app_name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
}
resource "azurerm_role_assignment" "inner" {
  scope                = azurerm_resource_group.rg.id
  role_definition_name = var.role
  principal_id         = azurerm_user_assigned_identity.id.principal_id
}
output "principal_id" {
  value = azurerm_user_assigned_identity.id.principal_id
}
"#;
    let s = scan(&[("main.tf", root), ("modules/app/main.tf", child)], &[]);
    let model = s.model();
    let identity = model
        .resources
        .iter()
        .position(|r| r.address == "module.app.azurerm_user_assigned_identity.id")
        .unwrap();
    let inner = model
        .role_assignments
        .iter()
        .find(|a| model.resources[a.resource].address == "module.app.azurerm_role_assignment.inner")
        .unwrap();
    assert!(matches!(inner.role, Role::BuiltIn(r) if r.name == "Contributor"));
    assert_eq!(s.text(inner.role_value.span), "var.role");
    assert_eq!(s.text(inner.role_value.origin.unwrap()), "\"Contributor\"");
    assert_eq!(inner.scope, ScopeKind::ResourceGroup);
    assert_eq!(
        text_of(&inner.scope_value),
        "/subscriptions/?/resourceGroups/rg-web-1"
    );
    assert_eq!(inner.principal, Principal::UserAssigned(identity));
    let res = &model.resources[inner.resource];
    assert_eq!(res.call_path.len(), 1);
    assert!(s.text(res.call_path[0]).starts_with("module \"app\""));
    assert_eq!(s.file_name(res.span.file), "modules/app/main.tf");
    let outer = model
        .role_assignments
        .iter()
        .find(|a| model.resources[a.resource].address == "azurerm_role_assignment.from_output")
        .unwrap();
    assert_eq!(outer.principal, Principal::UserAssigned(identity));
    assert_eq!(outer.scope, ScopeKind::Subscription);
    let input = model.inputs.iter().find(|i| i.name == "role").unwrap();
    assert_eq!(input.call_path.len(), 1);
}

#[test]
fn modules_outside_the_scan_load_and_module_for_each_instantiates() {
    let root = r#"
module "ids" {
  for_each = toset(["a", "b"])
  source   = "../shared"
  name     = each.key
}
module "remote" {
  source = "Azure/avm-res-x/azurerm"
}
output "remote" {
  value = module.remote.id
}
"#;
    let shared = r#"
variable "name" {}
resource "azurerm_user_assigned_identity" "id" {
  name                = "id-${var.name}"
  resource_group_name = "rg"
  location            = "westeurope"
}
"#;
    let s = scan(&[("root/main.tf", root), ("!shared/main.tf", shared)], &[]);
    let model = s.model();
    let b = resource(model, "module.ids[\"b\"].azurerm_user_assigned_identity.id");
    assert_eq!(b.name.as_str(), Some("id-b"));
    assert!(!s.db.get(b.span.file).reported);
    let remote = model.outputs.iter().find(|o| o.name == "remote").unwrap();
    assert!(!remote.value.is_known());
}

#[test]
fn principal_role_and_scope_classification() {
    let main = r#"
data "azurerm_subscription" "current" {}
data "azurerm_client_config" "me" {}
data "azurerm_role_definition" "contrib" {
  name = "Contributor"
}
resource "azurerm_management_group" "mg" {
  name = "platform"
}
resource "azurerm_linux_function_app" "fn" {
  name                       = "fn"
  resource_group_name        = "rg"
  storage_account_access_key = azurerm_storage_account.sa.primary_access_key
  identity {
    type = "SystemAssigned"
  }
}
resource "azurerm_storage_account" "sa" {
  name                = "sa"
  resource_group_name = "rg"
}
resource "azurerm_role_definition" "custom" {
  name  = "custom-writer"
  scope = data.azurerm_subscription.current.id
  permissions {
    actions = ["*"]
  }
  assignable_scopes = [data.azurerm_subscription.current.id]
}
resource "azurerm_role_assignment" "sys" {
  scope              = data.azurerm_subscription.current.id
  role_definition_id = data.azurerm_role_definition.contrib.id
  principal_id       = azurerm_linux_function_app.fn.identity[0].principal_id
}
resource "azurerm_role_assignment" "custom" {
  scope              = azurerm_management_group.mg.id
  role_definition_id = azurerm_role_definition.custom.role_definition_resource_id
  principal_id       = data.azurerm_client_config.me.object_id
}
resource "azurerm_role_assignment" "custom_by_name" {
  scope                = azurerm_storage_account.sa.id
  role_definition_name = azurerm_role_definition.custom.name
  principal_id         = azurerm_linux_function_app.fn.identity.0.principal_id
}
resource "azurerm_role_assignment" "root" {
  scope                = "/"
  role_definition_name = "Owner"
  principal_id         = "x"
}
resource "azurerm_key_vault" "kv" {
  name                      = "kv"
  resource_group_name       = "rg"
  enable_rbac_authorization = false
  access_policy {
    object_id          = azurerm_linux_function_app.fn.identity[0].principal_id
    secret_permissions = ["Get"]
  }
}
resource "azurerm_key_vault_access_policy" "p" {
  key_vault_id = azurerm_key_vault.kv.id
  object_id    = data.azurerm_client_config.me.object_id
}
output "key" {
  value = nonsensitive(base64encode(azurerm_storage_account.sa.primary_access_key))
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let model = s.model();
    let fn_id = model
        .resources
        .iter()
        .position(|r| r.address == "azurerm_linux_function_app.fn")
        .unwrap();
    let kv_id = model
        .resources
        .iter()
        .position(|r| r.address == "azurerm_key_vault.kv")
        .unwrap();
    let by = |address: &str| {
        model
            .role_assignments
            .iter()
            .find(|a| model.resources[a.resource].address == address)
            .unwrap()
    };
    let sys = by("azurerm_role_assignment.sys");
    assert_eq!(sys.principal, Principal::SystemAssigned(fn_id));
    assert!(matches!(sys.role, Role::BuiltIn(r) if r.name == "Contributor"));
    assert_eq!(sys.scope, ScopeKind::Subscription);
    let custom = by("azurerm_role_assignment.custom");
    assert!(matches!(custom.role, Role::Custom(0)));
    assert_eq!(custom.scope, ScopeKind::ManagementGroup);
    assert_eq!(custom.principal, Principal::Other);
    let by_name = by("azurerm_role_assignment.custom_by_name");
    assert!(matches!(by_name.role, Role::Custom(0)));
    assert_eq!(by_name.scope, ScopeKind::Resource);
    assert_eq!(by_name.principal, Principal::SystemAssigned(fn_id));
    assert_eq!(by("azurerm_role_assignment.root").scope, ScopeKind::Root);
    let definition = &model.role_definitions[0];
    assert_eq!(definition.permissions.len(), 1);
    assert_eq!(definition.name.as_str(), Some("custom-writer"));

    let vault = &model.key_vaults[0];
    assert_eq!(
        vault.rbac_authorization.as_ref().and_then(Value::as_bool),
        Some(false)
    );
    assert_eq!(model.access_policies.len(), 2);
    assert!(model.access_policies.iter().all(|p| p.vault == Some(kv_id)));
    assert_eq!(
        model.access_policies[0].principal,
        Principal::SystemAssigned(fn_id)
    );

    let key = model
        .settings
        .iter()
        .find(|x| x.kind == SettingKind::StorageKey)
        .unwrap();
    assert!(matches!(&key.value.kind, ValueKind::Ref(r) if r.secret));
    let output = &model.outputs[0];
    assert!(output.nonsensitive);
    assert!(output.value.refs().iter().any(|r| r.secret));
}

#[test]
fn hcl_edit_gaps_parse_like_terraform() {
    let locals = r#"
locals {
  connectivity = {
    for location in local.locations :
    location =>
    local.enabled &&
    anytrue(
      [true]
    )
  }
}
"#;
    let tfvars = r#"
settings = {
  name = "first"
  other = 1
  name = "last"
}
"#;
    let main = r#"
variable "settings" {}
locals {
  locations = ["westeurope"]
  enabled   = true
}
resource "azurerm_resource_group" "rg" {
  name     = var.settings.name
  location = "westeurope"
}
"#;
    let s = scan(
        &[
            ("main.tf", main),
            ("locals.tf", locals),
            ("terraform.tfvars", tfvars),
        ],
        &[],
    );
    let model = s.model();
    let rg = resource(model, "azurerm_resource_group.rg");
    assert_eq!(rg.name.as_str(), Some("last"));
    assert_eq!(s.text(rg.name.origin.unwrap()), "\"last\"");
}

#[test]
fn invalid_file_is_reported_and_the_scan_goes_on() {
    let broken = "resource \"a\" \"b\" {\n  x = = 1\n}\n";
    let s = scan(
        &[
            ("broken.tf", broken),
            (
                "ok/main.tf",
                "resource \"azurerm_resource_group\" \"rg\" {\n  name = \"x\"\n}\n",
            ),
        ],
        &[],
    );
    assert_eq!(s.loaded.invalid_files.len(), 1);
    let d = &s.loaded.invalid_files[0];
    assert_eq!(d.primary.span.start as usize, broken.find("= 1").unwrap());
    assert!(d.anchor.ends_with("broken.tf"));
    assert!(s.loaded.models.iter().any(|m| {
        m.resources
            .iter()
            .any(|r| r.address == "azurerm_resource_group.rg")
    }));
}

#[test]
fn suppressions_cover_the_block_below() {
    let main = "# idlint:ignore AZ201 -- legacy app\nresource \"azurerm_linux_web_app\" \"a\" {\n  name = \"a\"\n}\n";
    let s = scan(&[("main.tf", main)], &[]);
    let sup = &s.loaded.suppressions[0];
    assert_eq!(sup.rules, ["AZ201"]);
    assert!(
        s.text(sup.target)
            .starts_with("resource \"azurerm_linux_web_app\"")
    );
    let workload = &s.model().workloads[0];
    assert!(
        sup.target
            .contains(s.model().resources[workload.resource].span)
    );
}

#[test]
fn cycles_between_locals_and_modules_do_not_hang() {
    let main = r#"
locals {
  a = local.b
  b = local.a
}
module "self" {
  source = "./"
  x      = local.a
}
resource "azurerm_resource_group" "rg" {
  name = local.a
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let model = s.model();
    assert!(!resource(model, "azurerm_resource_group.rg").name.is_known());
}

#[test]
fn json_configuration_lowers_like_hcl() {
    // A type is a string holding the type expression, defaults of `optional()` included.
    let main = r#"{
  "variable": {
    "env": {"default": "dev"},
    "admin_password": {"type": "bool"},
    "naming": {"type": "object({ suffix = optional(string, \"-01\") })", "default": {}}
  },
  "resource": {
    "azurerm_resource_group": {
      "rg": {"name": "rg-${var.env}${var.naming.suffix}", "location": "westeurope"}
    }
  },
  "terraform": {"backend": {"azurerm": {}}}
}"#;
    let s = scan(&[("main.tf.json", main)], &[]);
    let model = s.model();
    let rg = resource(model, "azurerm_resource_group.rg");
    assert_eq!(rg.name.as_str(), Some("rg-dev-01"));
    assert_eq!(
        s.text(rg.name.span),
        "\"rg-${var.env}${var.naming.suffix}\""
    );
    assert!(model.providers.iter().any(|p| p.name == "backend.azurerm"));
    let password = model.inputs.iter().find(|i| i.name == "admin_password");
    let type_text = password
        .and_then(|i| i.type_value.as_ref())
        .and_then(|t| t.as_str());
    assert_eq!(type_text, Some("bool"));
}

/// `cargo test --release -- --ignored corpus` prints what the corpus loads into.
#[test]
#[ignore]
fn corpus_statistics() {
    let root = Path::new("/work/shared/corpus/terraform");
    if !root.is_dir() {
        return;
    }
    let discovered = idlint::discover::walk(root, &|_: &Path| false);
    let mut db = SourceDb::default();
    let mut ids = Vec::new();
    for d in discovered {
        if !matches!(
            d.kind,
            FileKind::Terraform | FileKind::TerraformJson | FileKind::TerraformVars
        ) {
            continue;
        }
        let text = std::fs::read_to_string(&d.path).unwrap_or_default();
        ids.push(db.add(SourceFile::new(d.path, d.kind, text, true)));
    }
    let start = std::time::Instant::now();
    let loaded = idlint::terraform::load(&mut db, &ids, &[]);
    let count = |f: &dyn Fn(&Model) -> usize| loaded.models.iter().map(f).sum::<usize>();
    eprintln!(
        "{:?}: {} files, {} models, {} resources, {} workloads, {} role assignments ({} classified principals, {} known roles, {} known scopes), {} settings, {} invalid",
        start.elapsed(),
        ids.len(),
        loaded.models.len(),
        count(&|m| m.resources.len()),
        count(&|m| m.workloads.len()),
        count(&|m| m.role_assignments.len()),
        count(&|m| m
            .role_assignments
            .iter()
            .filter(|a| a.principal != Principal::Other)
            .count()),
        count(&|m| m
            .role_assignments
            .iter()
            .filter(|a| !matches!(a.role, Role::Unknown))
            .count()),
        count(&|m| m
            .role_assignments
            .iter()
            .filter(|a| a.scope != ScopeKind::Unknown)
            .count()),
        count(&|m| m.settings.len()),
        loaded.invalid_files.len(),
    );
}

#[test]
fn identities_settings_inputs_outputs_and_providers() {
    let main = r#"
terraform {
  backend "azurerm" {
    storage_account_name = "tfstate"
  }
}
provider "azurerm" {
  client_secret = var.client_secret
  features {}
}
variable "client_secret" {
  type      = string
  sensitive = true
}
variable "db_password" {
  default = "hunter2"
}
resource "azurerm_user_assigned_identity" "app" {
  name                = "id-app"
  resource_group_name = "rg"
  location            = "westeurope"
}
resource "azurerm_federated_identity_credential" "gh" {
  name      = "gh"
  parent_id = azurerm_user_assigned_identity.app.id
  subject   = "repo:org/repo:ref:refs/heads/main"
}
resource "azurerm_container_app" "ca" {
  name = "ca"
  identity {
    type         = "SystemAssigned, UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.app.id]
  }
  template {
    container {
      name = "main"
      env {
        name  = "PLAIN"
        value = "x"
      }
      env {
        name        = "SECRET"
        secret_name = "db-password"
      }
    }
  }
}
resource "azurerm_container_group" "cg" {
  name = "cg"
  container {
    name                         = "c"
    environment_variables        = { A = "1" }
    secure_environment_variables = { B = var.db_password }
  }
}
output "password" {
  value = "${var.db_password}-${var.client_secret}"
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let model = s.model();
    let identity = model
        .resources
        .iter()
        .position(|r| r.address == "azurerm_user_assigned_identity.app")
        .unwrap();
    assert_eq!(model.identities.len(), 1);
    assert_eq!(model.federated_credentials[0].identity, Some(identity));
    let ca = model
        .workloads
        .iter()
        .find(|w| model.resources[w.resource].address == "azurerm_container_app.ca")
        .unwrap();
    assert_eq!(ca.identity.system_assigned, Some(true));
    assert_eq!(ca.identity.user_assigned.len(), 1);
    assert_eq!(ca.identity.user_assigned[0].target, Some(identity));
    assert_eq!(model.workloads_attaching(identity).count(), 1);
    let env: Vec<(&str, bool)> = model
        .settings
        .iter()
        .map(|x| (x.name.as_str(), x.secret_reference))
        .collect();
    assert_eq!(
        env,
        [
            ("PLAIN", false),
            ("SECRET", true),
            ("A", false),
            ("B", true)
        ]
    );
    let secret = model
        .inputs
        .iter()
        .find(|i| i.name == "client_secret")
        .unwrap();
    assert!(secret.sensitive);
    assert_eq!(
        secret.type_value.as_ref().and_then(Value::as_str),
        Some("string")
    );
    let password = model
        .inputs
        .iter()
        .find(|i| i.name == "db_password")
        .unwrap();
    assert_eq!(
        password.default.as_ref().and_then(Value::as_str),
        Some("hunter2")
    );
    let output = &model.outputs[0];
    assert_eq!(output.inputs, ["db_password", "client_secret"]);
    assert!(!output.sensitive && !output.nonsensitive);
    let names: Vec<&str> = model.providers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["azurerm", "backend.azurerm"]);
    let provider = &model.providers[0];
    assert!(!provider.body.get("client_secret").unwrap().is_known());
}

#[test]
fn try_and_can_see_failed_lookups_not_unknowns() {
    let main = r#"
variable "settings" {}
variable "defaults" {
  default = { tier = "Standard" }
}
locals {
  names = ["a"]
}
resource "azurerm_kubernetes_cluster" "aks" {
  tags = {
    # var.settings has no value: unknown at plan time, not an error.
    unknown_input = try(var.settings.local_account_disabled, false)
    missing_key   = try(var.defaults.sku, "Basic")
    present_key   = try(var.defaults.tier, "Basic")
    out_of_range  = try(local.names[3], "none")
    attr_of_text  = try(var.defaults.tier.name, "text")
    nested        = try(try(var.defaults.x, var.defaults.y), "outer")
    unknown_cond  = try(var.settings.on ? var.defaults.x : "y", "fallback")
    all_fail      = try(var.defaults.x, var.defaults.y)
    can_missing   = can(var.defaults.sku)
    can_present   = can(var.defaults.tier)
    can_unknown   = can(var.settings.sku)
  }
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let tag = |name: &str| tag(&s, "azurerm_kubernetes_cluster.aks", name);
    assert!(
        !tag("unknown_input").is_known(),
        "{:?}",
        tag("unknown_input")
    );
    assert_eq!(tag("missing_key").as_str(), Some("Basic"));
    assert_eq!(tag("present_key").as_str(), Some("Standard"));
    assert_eq!(tag("out_of_range").as_str(), Some("none"));
    assert_eq!(tag("attr_of_text").as_str(), Some("text"));
    assert_eq!(tag("nested").as_str(), Some("outer"));
    // With the condition unknown, the failing branch may not be the one taken.
    assert!(!tag("unknown_cond").is_known(), "{:?}", tag("unknown_cond"));
    assert!(!tag("all_fail").is_known());
    // can() is false on a failed lookup, true on a known value, unknown on an unknown one.
    assert_eq!(tag("can_missing").as_bool(), Some(false));
    assert_eq!(tag("can_present").as_bool(), Some(true));
    assert!(!tag("can_unknown").is_known(), "{:?}", tag("can_unknown"));
}

#[test]
fn try_and_can_see_functions_that_fail() {
    let main = r#"
variable "settings" {}
variable "network" {
  default = { name = "vnet", subnets = [] }
}
variable "identity_ids" {
  default = null
}
resource "azurerm_linux_web_app" "app" {
  tags = {
    missing_key = try(lookup(var.network, "dns"), "azure")
    nulls       = try(coalesce(var.identity_ids, ""), "none")
    length_null = try(length(var.identity_ids), 0)
    empty_list  = try(element(var.network.subnets, 0), "default")
    not_number  = try(tonumber(var.network.name), -1)
    works       = try(lookup(var.network, "name"), "other")
    unknown     = try(length(var.settings), 0)
    can_length  = can(length(var.identity_ids))
    can_unknown = can(lookup(var.settings, "x"))
  }
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let tag = |name: &str| tag(&s, "azurerm_linux_web_app.app", name);
    assert_eq!(tag("missing_key").as_str(), Some("azure"));
    assert_eq!(tag("nulls").as_str(), Some("none"));
    assert_eq!(tag("length_null").kind, ValueKind::Number(0.0));
    assert_eq!(tag("empty_list").as_str(), Some("default"));
    assert_eq!(tag("not_number").kind, ValueKind::Number(-1.0));
    assert_eq!(tag("works").as_str(), Some("vnet"));
    // A function of an unknown value is unknown, not a failure to fall back from.
    assert!(!tag("unknown").is_known(), "{:?}", tag("unknown"));
    assert_eq!(tag("can_length").as_bool(), Some(false));
    assert!(!tag("can_unknown").is_known(), "{:?}", tag("can_unknown"));
}

#[test]
fn optional_attributes_take_their_type_defaults() {
    let main = r#"
variable "storage" {
  type = object({
    name       = string
    shared_key = optional(bool, true)
    tier       = optional(string)
    network = optional(object({
      public = optional(bool, true)
    }), {})
  })
  default = { name = "stapp", shared_key = null }
}
variable "apps" {
  type = map(object({
    identity = optional(string, "SystemAssigned")
  }))
  default = { api = {}, web = { identity = "UserAssigned" } }
}
variable "rules" {
  type    = list(object({ allow = optional(bool, false) }))
  default = [{}]
}
variable "unset" {
  type = object({ local_auth = optional(bool, true) })
}
resource "azurerm_storage_account" "s" {
  tags = {
    shared_key = var.storage.shared_key
    tier       = var.storage.tier
    public     = var.storage.network.public
    api        = var.apps.api.identity
    web        = var.apps.web.identity
    allow      = var.rules[0].allow
    unset      = var.unset.local_auth
    fallback   = try(var.storage.tier, "none")
  }
}
"#;
    let s = scan(&[("main.tf", main)], &[]);
    let tag = |name: &str| tag(&s, "azurerm_storage_account.s", name);
    // Given as null, left out, or left out inside an optional object's own default.
    assert_eq!(tag("shared_key").as_bool(), Some(true));
    assert_eq!(tag("public").as_bool(), Some(true));
    assert!(tag("tier").is_null(), "{:?}", tag("tier"));
    // The default is written in the type: a finding on it points there.
    let origin = tag("shared_key")
        .origin
        .expect("where the default is written");
    assert_eq!(s.text(origin), "true");
    // Through map and list element types; a given value is kept.
    assert_eq!(tag("api").as_str(), Some("SystemAssigned"));
    assert_eq!(tag("web").as_str(), Some("UserAssigned"));
    assert_eq!(tag("allow").as_bool(), Some(false));
    // A variable without a value stays unknown, defaults or not.
    assert!(!tag("unset").is_known());
    // An optional attribute without a default is null, not a failed lookup.
    assert!(tag("fallback").is_null(), "{:?}", tag("fallback"));
}
