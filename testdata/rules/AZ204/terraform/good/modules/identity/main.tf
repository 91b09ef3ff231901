variable "name" {
  type = string
}

variable "rg" {
  type = string
}

resource "azurerm_user_assigned_identity" "this" {
  name                = var.name
  resource_group_name = var.rg
  location            = "westeurope"
}

output "id" {
  value = azurerm_user_assigned_identity.this.id
}
