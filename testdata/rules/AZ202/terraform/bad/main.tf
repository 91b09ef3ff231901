variable "environment" {
  type = string
}

variable "vault_uses_rbac" {
  type    = bool
  default = false
}

locals {
  rg         = "rg-orders-${var.environment}"
  vault_name = "kv-orders-${var.environment}"
}

data "azurerm_client_config" "current" {}

resource "azurerm_key_vault" "orders" {
  name                       = local.vault_name
  resource_group_name        = local.rg
  location                   = "westeurope"
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = var.vault_uses_rbac
}

resource "azurerm_key_vault_secret" "db_password" {
  name         = "db-password"
  value        = "placeholder"
  key_vault_id = azurerm_key_vault.orders.id
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-orders-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

# Has a system-assigned identity, but the vault (RBAC mode, from terraform.tfvars) only grants
# it `Key Vault Reader`, which cannot read secret values.
resource "azurerm_linux_web_app" "api" {
  name                = "app-orders-api-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = {
    DB_PASSWORD = "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.db_password.versionless_id})" # expect: AZ202
    LOG_LEVEL   = "info"
  }
}

resource "azurerm_role_assignment" "api_vault_reader" {
  scope                = azurerm_key_vault.orders.id
  role_definition_name = "Key Vault Reader"
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

# No identity at all: the platform cannot resolve the reference.
resource "azurerm_linux_web_app" "admin" {
  name                = "app-orders-admin-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  app_settings = {
    ADMIN_TOKEN = "@Microsoft.KeyVault(VaultName=${local.vault_name};SecretName=admin-token)" # expect: AZ202
  }
}

module "identity" {
  source = "./modules/identity"
  name   = "id-orders-jobs-${var.environment}"
  rg     = local.rg
}

module "jobs" {
  source          = "./modules/jobs"
  rg              = local.rg
  service_plan_id = azurerm_service_plan.plan.id
  identity_id     = module.identity.id
  vault_name      = local.vault_name
}
