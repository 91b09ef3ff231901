variable "name" {
  type = string
}

variable "service_plan_id" {
  type = string
}

variable "storage_connection" {
  type      = string
  sensitive = true
}

resource "azurerm_linux_web_app" "this" {
  name                = var.name
  resource_group_name = "rg-jobs"
  location            = "westeurope"
  service_plan_id     = var.service_plan_id

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = {
    BLOB_CONNECTION = var.storage_connection # expect: AZ102
  }
}
