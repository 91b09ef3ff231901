variable "db_password" {
  type      = string
  sensitive = true
}

locals {
  regions = toset(["westeurope", "northeurope"])
}

resource "azurerm_storage_account" "logs" {
  for_each                 = local.regions
  name                     = "stlogs${substr(each.key, 0, 5)}"
  resource_group_name      = "rg-logs"
  location                 = each.key
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

output "primary_log_storage_key" {
  value = azurerm_storage_account.logs["westeurope"].primary_access_key # expect: AZ104
}

output "db_password" {
  value = nonsensitive(var.db_password) # expect: AZ104
}

module "bus" {
  source = "./modules/bus"
  name   = "sb-orders-prod"
}

output "bus_connection" {
  value     = module.bus.connection_string
  sensitive = true
}
