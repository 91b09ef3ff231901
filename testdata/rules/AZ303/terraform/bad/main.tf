variable "subscription_id" {
  type = string
}

locals {
  rg = "rg-orders-prod"
}

data "azurerm_subscription" "current" {}

resource "azurerm_resource_group" "orders" {
  name     = local.rg
  location = "westeurope"
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-orders-prod"
  resource_group_name = azurerm_resource_group.orders.name
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "api" {
  name                = "app-orders-api"
  resource_group_name = azurerm_resource_group.orders.name
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type = "SystemAssigned"
  }
}

# Every vault in the resource group, not the one the API reads.
resource "azurerm_role_assignment" "api_secrets" {
  scope                = azurerm_resource_group.orders.id
  role_definition_name = "Key Vault Secrets User" # expect: AZ303
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

# Every blob in the subscription.
resource "azurerm_role_assignment" "api_blobs" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Storage Blob Data Reader" # expect: AZ303
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

module "access" {
  source       = "./modules/access"
  scope        = "/subscriptions/${var.subscription_id}/resourceGroups/${local.rg}"
  principal_id = azurerm_linux_web_app.api.identity[0].principal_id
}
