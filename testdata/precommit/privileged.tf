# Owner for a pipeline at subscription scope: AZ301 privileged-role-at-broad-scope.
variable "pipeline_principal_id" {
  type = string
}

data "azurerm_subscription" "current" {}

resource "azurerm_role_assignment" "pipeline_owner" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = var.pipeline_principal_id
}
