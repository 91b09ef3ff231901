variable "rg" {
  type = string
}

variable "service_plan_id" {
  type = string
}

variable "storage_id" {
  type = string
}

resource "azurerm_user_assigned_identity" "worker" {
  name                = "id-orders-worker"
  resource_group_name = var.rg
  location            = "westeurope"
}

resource "azurerm_linux_function_app" "worker" {
  name                          = "func-orders-worker"
  resource_group_name           = var.rg
  location                      = "westeurope"
  service_plan_id               = var.service_plan_id
  storage_account_name          = "stordersworker"
  storage_uses_managed_identity = true

  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.worker.id]
  }
}

# Owner of the storage account: the worker could hand out access to it.
resource "azurerm_role_assignment" "worker_owner" {
  scope              = var.storage_id
  role_definition_id = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635" # expect: AZ302
  principal_id       = azurerm_user_assigned_identity.worker.principal_id
}
