variable "subscription_id" {
  type = string
}

locals {
  scope = "/subscriptions/${var.subscription_id}"
  operator_actions = [
    "Microsoft.Compute/virtualMachines/*",
    "*/write",
  ]
}

resource "azurerm_role_definition" "everything" {
  name  = "Platform Everything"
  scope = local.scope

  permissions {
    actions     = ["*"] # expect: AZ304
    not_actions = ["Microsoft.Authorization/*/Delete"]
  }

  assignable_scopes = [local.scope]
}

resource "azurerm_role_definition" "operator" {
  name  = "VM Operator"
  scope = local.scope

  permissions {
    actions = local.operator_actions # expect: AZ304
  }

  assignable_scopes = [local.scope]
}

module "roles" {
  source = "./modules/roles"
  scope  = local.scope
}
