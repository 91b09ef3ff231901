variable "scope" {
  type = string
}

variable "principal_id" {
  type = string
}

locals {
  data_roles = {
    pull  = "AcrPull"
    queue = "Azure Service Bus Data Receiver"
  }
}

resource "azurerm_role_assignment" "this" {
  for_each             = local.data_roles
  scope                = var.scope
  role_definition_name = each.value # expect: AZ303
  principal_id         = var.principal_id
}
