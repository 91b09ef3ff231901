variable "github_repository" {
  type    = string
  default = "contoso/orders"
}

provider "azurerm" {
  features {}
  use_oidc  = true
  client_id = "11111111-1111-1111-1111-111111111111"
  tenant_id = "00000000-0000-0000-0000-000000000000"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-orders-prod"
  resource_group_name = "rg-orders-prod"
  location            = "westeurope"
  dns_prefix          = "aks-orders"

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azuread_application" "ci" {
  display_name = "sp-orders-ci"
}

# The pipeline signs in with workload identity federation: no secret to store.
resource "azuread_application_federated_identity_credential" "ci" {
  application_id = azuread_application.ci.id
  display_name   = "github-main"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repo:${var.github_repository}:ref:refs/heads/main"
}
