variable "environment" {
  type    = string
  default = "prod"
}

# No default and no tfvars: unknown, so never reported as a literal.
variable "db_password" {
  type      = string
  sensitive = true
}

resource "azurerm_storage_account" "data" {
  name                     = "stdata${var.environment}"
  resource_group_name      = "rg-app"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_linux_web_app" "app" {
  name                = "app-api-${var.environment}"
  resource_group_name = "rg-app"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-app/providers/Microsoft.Web/serverFarms/asp"

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = {
    # Key Vault references are resolved by App Service with the app's identity.
    DB_PASSWORD                      = "@Microsoft.KeyVault(SecretUri=https://kv-app.vault.azure.net/secrets/db-password/)"
    # Identity-based connection: no key at all.
    AzureWebJobsStorage__accountName = azurerm_storage_account.data.name
    PASSWORD_MIN_LENGTH              = "12"
    # JSON text without a credential; and one whose secret is a Key Vault reference.
    LOGGING    = jsonencode({ level = "Information", password_rules = { min_length = 12 } })
    APP_CONFIG = jsonencode({ database = { password = "@Microsoft.KeyVault(SecretUri=https://kv-app.vault.azure.net/secrets/db-password/)" } })
    TOKEN_AUDIENCE                   = "api://app-api"
    KEY_VAULT_NAME                   = "kv-app"
    SECRET_ROTATION_ENABLED          = "true"
    UNKNOWN_PASSWORD                 = var.db_password
  }

  connection_string {
    name  = "Database"
    type  = "SQLAzure"
    value = "Server=tcp:sql-app.database.windows.net;Database=app;Authentication=Active Directory Managed Identity;"
  }
}
