# No default and no tfvars: unknown, so never reported.
variable "servicebus_local_auth" {
  type = bool
}

resource "azurerm_storage_account" "data" {
  name                      = "stdataprod"
  resource_group_name       = "rg-data"
  location                  = "westeurope"
  account_tier              = "Standard"
  account_replication_type  = "GRS"
  shared_access_key_enabled = false
}

# `admin_enabled` defaults to false.
resource "azurerm_container_registry" "acr" {
  name                = "acrappprod"
  resource_group_name = "rg-data"
  location            = "westeurope"
  sku                 = "Premium"
}

# MongoDB (RU) accounts have no Entra ID data-plane auth: keys are the only way in.
resource "azurerm_cosmosdb_account" "catalog" {
  name                = "cosmos-catalog-prod"
  resource_group_name = "rg-data"
  location            = "westeurope"
  offer_type          = "Standard"
  kind                = "MongoDB"

  capabilities {
    name = "EnableMongo"
  }

  consistency_policy {
    consistency_level = "Session"
  }

  geo_location {
    location          = "westeurope"
    failover_priority = 0
  }
}

resource "azurerm_servicebus_namespace" "bus" {
  name                = "sb-orders-prod"
  resource_group_name = "rg-messaging"
  location            = "westeurope"
  sku                 = "Standard"
  local_auth_enabled  = var.servicebus_local_auth
}

resource "azurerm_application_insights" "ai" {
  name                          = "appi-app-prod"
  resource_group_name           = "rg-data"
  location                      = "westeurope"
  application_type              = "web"
  local_authentication_disabled = true
}

resource "azurerm_mssql_server" "sql" {
  name                = "sql-app-prod"
  resource_group_name = "rg-data"
  location            = "westeurope"
  version             = "12.0"

  azuread_administrator {
    login_username              = "sql-admins"
    object_id                   = "33333333-3333-3333-3333-333333333333"
    azuread_authentication_only = true
  }
}
