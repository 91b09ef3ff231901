# Invalid Terraform: the block below is never closed.
resource "azurerm_resource_group" "app" {
  name     = "rg-app"
  location =
