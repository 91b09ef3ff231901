variable "environment" {
  type    = string
  default = "prod"
}

# Supplied by the pipeline: not a resource's credential.
variable "partner_api_key" {
  type      = string
  sensitive = true
}

resource "azurerm_storage_account" "jobs" {
  name                      = "stjobs${var.environment}"
  resource_group_name       = "rg-jobs"
  location                  = "westeurope"
  account_tier              = "Standard"
  account_replication_type  = "LRS"
  shared_access_key_enabled = false
}

resource "azurerm_servicebus_namespace" "bus" {
  name                = "sb-orders-${var.environment}"
  resource_group_name = "rg-jobs"
  location            = "westeurope"
  sku                 = "Standard"
}

resource "azurerm_application_insights" "ai" {
  name                = "appi-jobs-${var.environment}"
  resource_group_name = "rg-jobs"
  location            = "westeurope"
  application_type    = "web"
}

resource "azurerm_key_vault_secret" "payments" {
  name         = "payments-api-key"
  value        = var.partner_api_key
  key_vault_id = "/subscriptions/0000/resourceGroups/rg-jobs/providers/Microsoft.KeyVault/vaults/kv-jobs"
}

resource "azurerm_linux_function_app" "jobs" {
  name                          = "func-jobs-${var.environment}"
  resource_group_name           = "rg-jobs"
  location                      = "westeurope"
  service_plan_id               = "/subscriptions/0000/resourceGroups/rg-jobs/providers/Microsoft.Web/serverFarms/asp-jobs"
  storage_account_name          = azurerm_storage_account.jobs.name
  storage_uses_managed_identity = true

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = {
    # Identity-based connections: names and endpoints, no keys.
    AzureWebJobsStorage__accountName               = azurerm_storage_account.jobs.name
    ServiceBusConnection__fullyQualifiedNamespace  = "${azurerm_servicebus_namespace.bus.name}.servicebus.windows.net"
    # A Key Vault reference to the secret, not its value.
    PAYMENTS_API_KEY                               = "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.payments.versionless_id})"
    # Telemetry routing, not an access credential.
    APPLICATIONINSIGHTS_CONNECTION_STRING          = azurerm_application_insights.ai.connection_string
    PARTNER_API_KEY_NAME                           = azurerm_key_vault_secret.payments.name
  }
}
