variable "name" {
  type = string
}

variable "rg" {
  type = string
}

variable "plan_id" {
  type = string
}

resource "azurerm_user_assigned_identity" "this" {
  name                = "id-${var.name}-prod"
  resource_group_name = var.rg
  location            = "westeurope"
}

resource "azurerm_linux_web_app" "this" {
  name                = "app-${var.name}-prod"
  resource_group_name = var.rg
  location            = "westeurope"
  service_plan_id     = var.plan_id

  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }
}
