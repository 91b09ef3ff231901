variable "environment" {
  type    = string
  default = "prod"
}

# Supplied by the pipeline.
variable "payments_api_key" {
  type      = string
  sensitive = true
}

locals {
  regions = {
    weu = "westeurope"
    neu = "northeurope"
  }
  # Copying a Key Vault secret's value into a local still copies the secret.
  payments_key = azurerm_key_vault_secret.payments.value
}

resource "azurerm_storage_account" "jobs" {
  name                     = "stjobs${var.environment}"
  resource_group_name      = "rg-jobs"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_servicebus_namespace" "bus" {
  name                = "sb-orders-${var.environment}"
  resource_group_name = "rg-jobs"
  location            = "westeurope"
  sku                 = "Standard"
}

resource "azurerm_key_vault_secret" "payments" {
  name         = "payments-api-key"
  value        = var.payments_api_key
  key_vault_id = "/subscriptions/0000/resourceGroups/rg-jobs/providers/Microsoft.KeyVault/vaults/kv-jobs"
}

resource "random_password" "db" {
  length = 32
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-jobs-${var.environment}"
  resource_group_name = "rg-jobs"
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "EP1"
}

resource "azurerm_linux_function_app" "jobs" {
  for_each                   = local.regions
  name                       = "func-jobs-${each.key}-${var.environment}"
  resource_group_name        = "rg-jobs"
  location                   = each.value
  service_plan_id            = azurerm_service_plan.plan.id
  storage_account_name       = azurerm_storage_account.jobs.name
  storage_account_access_key = azurerm_storage_account.jobs.primary_access_key # expect: AZ102

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = {
    ServiceBusConnection = azurerm_servicebus_namespace.bus.default_primary_connection_string # expect: AZ102
    PAYMENTS_API_KEY     = local.payments_key # expect: AZ102
    DB_PASSWORD          = random_password.db.result # expect: AZ102
    FUNCTIONS_WORKER_RUNTIME = "dotnet-isolated"
  }
}

module "api" {
  source              = "./modules/api"
  name                = "app-api-${var.environment}"
  service_plan_id     = azurerm_service_plan.plan.id
  storage_connection  = azurerm_storage_account.jobs.primary_connection_string
}
