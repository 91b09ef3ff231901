locals {
  a = local.b
  b = local.a
  c = [for x in local.c : x]
}
variable "v" {
  default = var.v
}
resource "azurerm_role_assignment" "r" {
  count = length(local.a)
  scope = local.a
  role_definition_name = each.value
  principal_id = azurerm_role_assignment.r[0].principal_id
}
