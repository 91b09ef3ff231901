variable "acr_admin" {
  type    = bool
  default = false
}

locals {
  regions = {
    weu = "westeurope"
    neu = "northeurope"
  }
}

resource "azurerm_storage_account" "data" { # expect: AZ106
  for_each                 = local.regions
  name                     = "stdata${each.key}prod"
  resource_group_name      = "rg-data"
  location                 = each.value
  account_tier             = "Standard"
  account_replication_type = "GRS"
}

resource "azurerm_container_registry" "acr" {
  name                = "acrappprod"
  resource_group_name = "rg-data"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = var.acr_admin # expect: AZ106
}

resource "azurerm_cosmosdb_account" "orders" {
  name                          = "cosmos-orders-prod"
  resource_group_name           = "rg-data"
  location                      = "westeurope"
  offer_type                    = "Standard"
  kind                          = "GlobalDocumentDB"
  local_authentication_disabled = false # expect: AZ106

  consistency_policy {
    consistency_level = "Session"
  }

  geo_location {
    location          = "westeurope"
    failover_priority = 0
  }
}

module "messaging" {
  source = "./modules/messaging"
  name   = "sb-orders-prod"
}
