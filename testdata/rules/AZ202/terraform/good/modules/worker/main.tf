variable "rg" {
  type = string
}

variable "service_plan_id" {
  type = string
}

variable "identity_id" {
  type = string
}

variable "vault_name" {
  type = string
}

resource "azurerm_linux_function_app" "this" {
  name                          = "func-billing-worker"
  resource_group_name           = var.rg
  location                      = "westeurope"
  service_plan_id               = var.service_plan_id
  storage_account_name          = "stbillingworker"
  storage_uses_managed_identity = true

  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [var.identity_id]
  }

  key_vault_reference_identity_id = var.identity_id

  app_settings = {
    INVOICE_KEY = "@Microsoft.KeyVault(SecretUri=https://${var.vault_name}.vault.azure.net/secrets/invoice-key/)"
  }
}
