variable "use_rbac" {
  type    = bool
  default = true
}

data "azurerm_client_config" "current" {}

resource "azurerm_key_vault" "orders" {
  name                       = "kv-orders-prod"
  resource_group_name        = "rg-orders-prod"
  location                   = "westeurope"
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = var.use_rbac
}

# A vault another team owns, in access-policy mode: only its policies are ours, and they are
# narrow.
data "azurerm_key_vault" "shared" {
  name                = "kv-platform-shared"
  resource_group_name = "rg-platform"
}

resource "azurerm_user_assigned_identity" "orders" {
  name                = "id-orders"
  resource_group_name = "rg-orders-prod"
  location            = "westeurope"
}

resource "azurerm_key_vault_access_policy" "orders" {
  key_vault_id       = data.azurerm_key_vault.shared.id
  tenant_id          = data.azurerm_client_config.current.tenant_id
  object_id          = azurerm_user_assigned_identity.orders.principal_id
  secret_permissions = ["Get", "List"]
}
