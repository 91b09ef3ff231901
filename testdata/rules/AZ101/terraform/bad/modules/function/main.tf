variable "name" {
  type = string
}

variable "service_plan_id" {
  type = string
}

variable "api_token" {
  type = string
}

resource "azurerm_linux_function_app" "this" {
  name                       = var.name
  resource_group_name        = "rg-jobs"
  location                   = "westeurope"
  service_plan_id            = var.service_plan_id
  storage_account_name       = "stjobs"
  storage_uses_managed_identity = true

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = {
    GITHUB_TOKEN = var.api_token # expect: AZ101
    FUNCTIONS_WORKER_RUNTIME = "python"
  }
}
