variable "name" {
  type = string
}

variable "local_auth" {
  type    = bool
  default = true
}

resource "azurerm_servicebus_namespace" "this" {
  name                = var.name
  resource_group_name = "rg-messaging"
  location            = "westeurope"
  sku                 = "Standard"
  local_auth_enabled  = var.local_auth # expect: AZ106
}
