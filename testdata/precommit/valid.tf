# A valid Terraform file with nothing for idlint to report.
terraform {
  required_version = ">= 1.5"
}

resource "azurerm_resource_group" "app" {
  name     = "rg-app"
  location = "westeurope"
}
