variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000000"
}

# Unknown until plan: a scope that cannot be resolved is never reported.
variable "scope" {
  type = string
}

variable "principal_id" {
  type = string
}

data "azurerm_subscription" "current" {}

resource "azurerm_resource_group" "app" {
  name     = "rg-app"
  location = "westeurope"
}

resource "azurerm_storage_account" "data" {
  name                     = "stdata"
  resource_group_name      = azurerm_resource_group.app.name
  location                 = azurerm_resource_group.app.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_role_assignment" "reader" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Reader"
  principal_id         = var.principal_id
}

resource "azurerm_role_assignment" "rg_contributor" {
  scope                = azurerm_resource_group.app.id
  role_definition_name = "Contributor"
  principal_id         = var.principal_id
}

resource "azurerm_role_assignment" "blob" {
  scope                = azurerm_storage_account.data.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = var.principal_id
}

resource "azurerm_role_assignment" "unknown_scope" {
  scope                = var.scope
  role_definition_name = "Owner"
  principal_id         = var.principal_id
}

resource "azurerm_role_definition" "reader_plus" {
  name  = "Reader Plus"
  scope = "/subscriptions/${var.subscription_id}"

  permissions {
    actions     = ["*/read", "Microsoft.Support/*"]
    not_actions = []
  }

  assignable_scopes = ["/subscriptions/${var.subscription_id}"]
}

resource "azurerm_role_assignment" "reader_plus" {
  scope              = "/subscriptions/${var.subscription_id}"
  role_definition_id = azurerm_role_definition.reader_plus.role_definition_resource_id
  principal_id       = var.principal_id
}
