variable "client_id" {
  type = string
}

variable "client_secret" {
  type      = string
  sensitive = true
}

provider "azurerm" {
  features {}
  client_id     = var.client_id
  client_secret = var.client_secret # expect: AZ205
  tenant_id     = "00000000-0000-0000-0000-000000000000"
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

  service_principal { # expect: AZ205
    client_id     = var.client_id
    client_secret = var.client_secret
  }
}

module "ci" {
  source       = "./modules/ci"
  display_name = "sp-orders-ci"
}
