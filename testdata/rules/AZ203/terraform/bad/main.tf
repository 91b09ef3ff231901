variable "apps" {
  type = map(object({ kind = string }))
}

locals {
  rg = "rg-shop-prod"
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-shop-prod"
  resource_group_name = local.rg
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

# One identity for every app of the shop: four workloads, one blast radius.
resource "azurerm_user_assigned_identity" "shop" { # expect: AZ203
  name                = "id-shop-prod"
  resource_group_name = local.rg
  location            = "westeurope"
}

resource "azurerm_linux_web_app" "shop" {
  for_each            = var.apps
  name                = "app-shop-${each.key}"
  resource_group_name = local.rg
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.shop.id]
  }
}

# An identity created in a module and attached across two resource groups.
module "platform_identity" {
  source = "./modules/identity"
  name   = "id-platform-prod"
  rg     = "rg-identity-prod"
}

resource "azurerm_linux_function_app" "billing" {
  name                          = "func-billing-prod"
  resource_group_name           = "rg-billing-prod"
  location                      = "westeurope"
  service_plan_id               = azurerm_service_plan.plan.id
  storage_account_name          = "stbillingprod"
  storage_uses_managed_identity = true

  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [module.platform_identity.id]
  }
}

resource "azurerm_container_app" "reports" {
  name                         = "ca-reports-prod"
  resource_group_name          = "rg-reports-prod"
  container_app_environment_id = "/subscriptions/0000/resourceGroups/rg-reports-prod/providers/Microsoft.App/managedEnvironments/cae-reports"
  revision_mode                = "Single"

  identity {
    type         = "UserAssigned"
    identity_ids = [module.platform_identity.id]
  }

  template {
    container {
      name   = "reports"
      image  = "ghcr.io/contoso/reports:2.1.0"
      cpu    = 0.5
      memory = "1Gi"
    }
  }
}
