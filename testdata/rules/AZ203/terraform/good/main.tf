variable "apps" {
  type    = set(string)
  default = ["storefront", "checkout", "catalog"]
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

# Three tightly coupled apps in one resource group share one identity: at the limit, not over it.
resource "azurerm_user_assigned_identity" "shop" {
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

# Each module instance creates and attaches its own identity.
module "app" {
  source   = "./modules/app"
  for_each = toset(["billing", "reports"])
  name     = each.key
  rg       = "rg-${each.key}-prod"
  plan_id  = azurerm_service_plan.plan.id
}
