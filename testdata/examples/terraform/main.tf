# An example workload with the identity mistakes idlint finds.
# Run: cargo run --release -- check testdata/examples

variable "environment" {
  type    = string
  default = "prod"
}

data "azurerm_subscription" "current" {}

resource "azurerm_resource_group" "app" {
  name     = "rg-orders-${var.environment}"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "orders" {
  name                = "id-orders-${var.environment}"
  resource_group_name = azurerm_resource_group.app.name
  location            = azurerm_resource_group.app.location
}

resource "azurerm_linux_web_app" "orders" {
  name                = "app-orders-${var.environment}"
  resource_group_name = azurerm_resource_group.app.name
  location            = azurerm_resource_group.app.location
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-orders/providers/Microsoft.Web/serverFarms/asp-orders"

  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.orders.id]
  }

  app_settings = {
    STORAGE = "DefaultEndpointsProtocol=https;AccountName=storders;AccountKey=ZXhhbXBsZS1vbmx5LW5vdC1hLXJlYWwta2V5LTAwMDAwMDAwMDAwMDAwMDAwMA==;"
  }
}

resource "azurerm_linux_function_app" "jobs" {
  name                          = "func-jobs-${var.environment}"
  resource_group_name           = azurerm_resource_group.app.name
  location                      = azurerm_resource_group.app.location
  service_plan_id               = "/subscriptions/0000/resourceGroups/rg-orders/providers/Microsoft.Web/serverFarms/asp-orders"
  storage_account_name          = "storders"
  storage_uses_managed_identity = true

  site_config {}
}

resource "azurerm_role_assignment" "orders_owner" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.orders.principal_id
}
