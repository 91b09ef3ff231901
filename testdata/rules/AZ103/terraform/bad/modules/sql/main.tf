variable "name" {
  type = string
}

variable "admin_password" { # expect: AZ103
  type = string
}

resource "azurerm_mssql_server" "this" {
  name                         = var.name
  resource_group_name          = "rg-app"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.admin_password
}
