# The identity is handed to policy assignments through archetype settings the model cannot
# follow (a `dynamic "identity"` block over a variable without a value): it may be attached.
variable "root_id" {
  type    = string
  default = "contoso"
}

variable "policy_assignments" {
  type = map(object({
    policy_definition_id = string
    identity_ids         = list(string)
  }))
}

resource "azurerm_user_assigned_identity" "policy" {
  name                = "id-${var.root_id}-policy"
  resource_group_name = "rg-${var.root_id}-identity"
  location            = "westeurope"
}

resource "azurerm_management_group_policy_assignment" "this" {
  for_each             = var.policy_assignments
  name                 = each.key
  management_group_id  = "/providers/Microsoft.Management/managementGroups/${var.root_id}"
  policy_definition_id = each.value.policy_definition_id
  location             = "westeurope"

  dynamic "identity" {
    for_each = length(each.value.identity_ids) > 0 ? [each.value.identity_ids] : []
    content {
      type         = "UserAssigned"
      identity_ids = identity.value
    }
  }
}
