variable "environment" {
  type    = string
  default = "prod"
}

variable "operator_roles" {
  type = map(string)
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

# The API only reads blobs, yet runs as Contributor of its whole resource group.
resource "azurerm_role_assignment" "api_contributor" {
  scope                = azurerm_resource_group.orders.id
  role_definition_name = "Contributor" # expect: AZ302
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

# Roles from terraform.tfvars, one assignment each.
resource "azurerm_role_assignment" "api_operator" {
  for_each             = var.operator_roles
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${local.rg}"
  role_definition_name = each.value # expect: AZ302
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

resource "azurerm_storage_account" "orders" {
  name                     = "storders${var.environment}"
  resource_group_name      = azurerm_resource_group.orders.name
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

module "worker" {
  source          = "./modules/worker"
  rg              = azurerm_resource_group.orders.name
  service_plan_id = azurerm_service_plan.plan.id
  storage_id      = azurerm_storage_account.orders.id
}
