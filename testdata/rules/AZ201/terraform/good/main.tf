variable "identity_type" {
  type    = string
  default = "SystemAssigned"
}

variable "enable_identity" {
  type = bool
}

# Module-library style: the whole configuration is one object without a value.
variable "settings" {}

resource "azurerm_user_assigned_identity" "api" {
  name                = "id-api"
  resource_group_name = "rg-api"
  location            = "westeurope"
}

resource "azurerm_linux_web_app" "system" {
  name                = "app-system"
  resource_group_name = "rg-api"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-api/providers/Microsoft.Web/serverFarms/asp"
  site_config {}

  identity {
    type = var.identity_type
  }
}

resource "azurerm_linux_web_app" "user" {
  name                = "app-user"
  resource_group_name = "rg-api"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-api/providers/Microsoft.Web/serverFarms/asp"
  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.api.id]
  }
}

# Whether an identity is attached is not known before plan: never reported.
resource "azurerm_linux_web_app" "maybe" {
  name                = "app-maybe"
  resource_group_name = "rg-api"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-api/providers/Microsoft.Web/serverFarms/asp"
  site_config {}

  dynamic "identity" {
    for_each = var.enable_identity ? [1] : []
    content {
      type = "SystemAssigned"
    }
  }
}

# `try` falls back on a failed lookup only; `var.settings.identity` is unknown, not missing.
resource "azurerm_linux_web_app" "from_settings" {
  name                = "app-settings"
  resource_group_name = "rg-api"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-api/providers/Microsoft.Web/serverFarms/asp"
  site_config {}

  dynamic "identity" {
    for_each = try(var.settings.identity, null) == null ? [] : [1]
    content {
      type = var.settings.identity.type
    }
  }
}

# A virtual machine is not a workload that AZ201 covers.
resource "azurerm_linux_virtual_machine" "jumpbox" {
  name                            = "vm-jump"
  resource_group_name             = "rg-api"
  location                        = "westeurope"
  size                            = "Standard_B2s"
  admin_username                  = "azureuser"
  network_interface_ids           = []
  disable_password_authentication = true

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }
}

data "azurerm_linux_web_app" "existing" {
  name                = "app-legacy"
  resource_group_name = "rg-legacy"
}
