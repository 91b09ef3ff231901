variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000000"
}

variable "deployer_object_id" {
  type = string
}

data "azurerm_subscription" "current" {}

resource "azurerm_management_group" "platform" {
  display_name = "Platform"
}

resource "azurerm_user_assigned_identity" "deployer" {
  name                = "id-deployer"
  resource_group_name = "rg-identity"
  location            = "westeurope"
}

locals {
  subscription_scope = "/subscriptions/${var.subscription_id}"
  operators = {
    deployer = azurerm_user_assigned_identity.deployer.principal_id
    pipeline = var.deployer_object_id
  }
}

resource "azurerm_role_assignment" "deployer_owner" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner" # expect: AZ301
  principal_id         = azurerm_user_assigned_identity.deployer.principal_id
}

resource "azurerm_role_assignment" "operators" {
  for_each             = local.operators
  scope                = local.subscription_scope
  role_definition_name = "Contributor" # expect: AZ301
  principal_id         = each.value
}

resource "azurerm_role_assignment" "platform_uaa" {
  scope              = azurerm_management_group.platform.id
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9" # expect: AZ301
  principal_id       = var.deployer_object_id
}

module "platform" {
  source          = "./modules/platform"
  subscription_id = var.subscription_id
  principal_id    = var.deployer_object_id
}
