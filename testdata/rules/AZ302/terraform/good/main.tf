variable "environment" {
  type    = string
  default = "prod"
}

variable "deployer_object_id" {
  type    = string
  default = "22222222-2222-2222-2222-222222222222"
}

locals {
  rg = "rg-orders-${var.environment}"
}

resource "azurerm_resource_group" "orders" {
  name     = local.rg
  location = "westeurope"
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-orders-${var.environment}"
  resource_group_name = azurerm_resource_group.orders.name
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "api" {
  name                = "app-orders-api-${var.environment}"
  resource_group_name = azurerm_resource_group.orders.name
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_storage_account" "orders" {
  name                     = "storders${var.environment}"
  resource_group_name      = azurerm_resource_group.orders.name
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

# Reader at the resource group and a data role on the one account: least privilege.
resource "azurerm_role_assignment" "api_reader" {
  scope                = azurerm_resource_group.orders.id
  role_definition_name = "Reader"
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

resource "azurerm_role_assignment" "api_blobs" {
  scope                = azurerm_storage_account.orders.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

# Contributor for the deployment pipeline, a principal that is not a workload.
resource "azurerm_role_assignment" "deployer" {
  scope                = azurerm_resource_group.orders.id
  role_definition_name = "Contributor"
  principal_id         = var.deployer_object_id
}
