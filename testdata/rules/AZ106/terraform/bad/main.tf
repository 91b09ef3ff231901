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

# A module-style typed input: the attribute is left out, and its type's default applies.
variable "archive" {
  type = object({
    name       = string
    shared_key = optional(bool, true)
  })
  default = { name = "starchiveprod" }
}

resource "azurerm_storage_account" "archive" {
  name                      = var.archive.name
  resource_group_name       = "rg-data"
  location                  = "westeurope"
  account_tier              = "Standard"
  account_replication_type  = "LRS"
  shared_access_key_enabled = var.archive.shared_key # expect: AZ106
}
