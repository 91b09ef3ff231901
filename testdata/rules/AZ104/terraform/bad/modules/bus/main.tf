variable "name" {
  type = string
}

resource "azurerm_servicebus_namespace" "this" {
  name                = var.name
  resource_group_name = "rg-orders"
  location            = "westeurope"
  sku                 = "Standard"
}

output "connection_string" {
  value = azurerm_servicebus_namespace.this.default_primary_connection_string # expect: AZ104
}

output "id" {
  value = azurerm_servicebus_namespace.this.id
}
