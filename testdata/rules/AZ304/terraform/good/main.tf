variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000000"
}

locals {
  scope = "/subscriptions/${var.subscription_id}"
}

resource "azurerm_role_definition" "vm_operator" {
  name  = "VM Operator"
  scope = local.scope

  permissions {
    actions = [
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Compute/virtualMachines/start/action",
      "Microsoft.Compute/virtualMachines/restart/action",
      "Microsoft.Authorization/*/read",
    ]
    data_actions = ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]
  }

  assignable_scopes = [local.scope]
}

# Reads and deletes role assignments, but the one write is taken back.
resource "azurerm_role_definition" "access_auditor" {
  name  = "Access Auditor"
  scope = local.scope

  permissions {
    actions     = ["Microsoft.Authorization/roleAssignments/*"]
    not_actions = ["Microsoft.Authorization/roleAssignments/write"]
  }

  assignable_scopes = [local.scope]
}
