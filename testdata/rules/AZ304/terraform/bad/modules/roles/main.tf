variable "scope" {
  type = string
}

resource "azurerm_role_definition" "access_manager" {
  name  = "Access Manager"
  scope = var.scope

  permissions {
    actions = [
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Authorization/roleAssignments/*", # expect: AZ304
    ]
  }

  permissions {
    actions      = ["Microsoft.Storage/storageAccounts/read"]
    data_actions = ["*"] # expect: AZ304
  }

  assignable_scopes = [var.scope]
}
