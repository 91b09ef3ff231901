variable "db_password" {
  type      = string
  sensitive = true
}

resource "azurerm_storage_account" "logs" {
  name                     = "stlogsprod"
  resource_group_name      = "rg-logs"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_key_vault_secret" "db" {
  name         = "db-password"
  value        = var.db_password
  key_vault_id = "/subscriptions/0000/resourceGroups/rg-logs/providers/Microsoft.KeyVault/vaults/kv-logs"
}

resource "azurerm_application_insights" "ai" {
  name                = "appi-logs"
  resource_group_name = "rg-logs"
  location            = "westeurope"
  application_type    = "web"
}

output "log_storage_key" {
  value     = azurerm_storage_account.logs.primary_access_key
  sensitive = true
}

output "log_storage_endpoint" {
  value = azurerm_storage_account.logs.primary_blob_endpoint
}

# Consumers read the secret with their own identity.
output "db_password_secret_id" {
  value = azurerm_key_vault_secret.db.versionless_id
}

output "app_insights_id" {
  value = azurerm_application_insights.ai.id
}
