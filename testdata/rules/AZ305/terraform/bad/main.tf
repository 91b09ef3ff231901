variable "admin_object_id" {
  type = string
}

variable "use_rbac" {
  type    = bool
  default = true
}

data "azurerm_client_config" "current" {}

# No `rbac_authorization_enabled`: the provider default is access policies.
resource "azurerm_key_vault" "orders" { # expect: AZ305
  name                = "kv-orders-prod"
  resource_group_name = "rg-orders-prod"
  location            = "westeurope"
  tenant_id           = data.azurerm_client_config.current.tenant_id
  sku_name            = "standard"
}

locals {
  admin_key_permissions = ["Get", "List", "Create", "Purge"]
}

resource "azurerm_key_vault_access_policy" "admin" {
  key_vault_id       = azurerm_key_vault.orders.id
  tenant_id          = data.azurerm_client_config.current.tenant_id
  object_id          = var.admin_object_id
  key_permissions    = local.admin_key_permissions # expect: AZ305
  secret_permissions = ["Get", "List"]
}

module "vault" {
  source   = "./modules/vault"
  name     = "kv-billing-prod"
  use_rbac = var.use_rbac
}
