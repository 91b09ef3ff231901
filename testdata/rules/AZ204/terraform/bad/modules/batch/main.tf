variable "rg" {
  type = string
}

variable "scope_id" {
  type = string
}

# Created for a batch pool that was never built: no workload, no federation, no output.
resource "azurerm_user_assigned_identity" "batch" { # expect: AZ204
  name                = "id-batch"
  resource_group_name = var.rg
  location            = "westeurope"
}

resource "azurerm_role_assignment" "batch" {
  scope                = var.scope_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.batch.principal_id
}
