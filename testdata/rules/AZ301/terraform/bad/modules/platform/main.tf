variable "subscription_id" {
  type = string
}

variable "principal_id" {
  type = string
}

resource "azurerm_role_definition" "platform_admin" {
  name  = "Platform Administrator"
  scope = "/subscriptions/${var.subscription_id}"

  permissions {
    actions     = ["Microsoft.Authorization/*", "Microsoft.Resources/*"]
    not_actions = []
  }

  assignable_scopes = ["/subscriptions/${var.subscription_id}"]
}

resource "azurerm_role_assignment" "platform_admin" {
  scope              = "/subscriptions/${var.subscription_id}"
  role_definition_id = azurerm_role_definition.platform_admin.role_definition_resource_id # expect: AZ301
  principal_id       = var.principal_id
}
