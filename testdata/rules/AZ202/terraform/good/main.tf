variable "environment" {
  type    = string
  default = "prod"
}

locals {
  rg = "rg-billing-${var.environment}"
  vaults = {
    rbac     = { name = "kv-billing-${var.environment}", rbac = true }
    policies = { name = "kv-billing-legacy-${var.environment}", rbac = false }
  }
}

data "azurerm_client_config" "current" {}

resource "azurerm_key_vault" "this" {
  for_each                   = local.vaults
  name                       = each.value.name
  resource_group_name        = local.rg
  location                   = "westeurope"
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = each.value.rbac
}

resource "azurerm_key_vault_secret" "db_password" {
  name         = "db-password"
  value        = "placeholder"
  key_vault_id = azurerm_key_vault.this["rbac"].id
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-billing-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

# RBAC vault: `Key Vault Secrets User` for the system-assigned identity, at the vault.
resource "azurerm_linux_web_app" "api" {
  name                = "app-billing-api-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = {
    DB_PASSWORD = "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.db_password.versionless_id})"
    # A vault this configuration does not declare: its grants live elsewhere.
    PLATFORM_TOKEN = "@Microsoft.KeyVault(VaultName=kv-platform-shared;SecretName=platform-token)"
  }
}

resource "azurerm_role_assignment" "api_secrets" {
  scope                = azurerm_key_vault.this["rbac"].id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

resource "azurerm_user_assigned_identity" "worker" {
  name                = "id-billing-worker-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
}

# Access-policy vault: a `Get` policy on secrets for the identity the worker resolves with.
resource "azurerm_key_vault_access_policy" "worker" {
  key_vault_id       = azurerm_key_vault.this["policies"].id
  tenant_id          = data.azurerm_client_config.current.tenant_id
  object_id          = azurerm_user_assigned_identity.worker.principal_id
  secret_permissions = ["Get"]
}

module "worker" {
  source          = "./modules/worker"
  rg              = local.rg
  service_plan_id = azurerm_service_plan.plan.id
  identity_id     = azurerm_user_assigned_identity.worker.id
  vault_name      = local.vaults.policies.name
}
