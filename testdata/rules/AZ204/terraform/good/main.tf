variable "environment" {
  type    = string
  default = "prod"
}

variable "github_repository" {
  type    = string
  default = "contoso/reports"
}

locals {
  rg = "rg-reports-${var.environment}"
  pipelines = {
    deploy = "repo:${var.github_repository}:environment:${var.environment}"
  }
}

# Federated with GitHub Actions: used by a pipeline, not by a workload.
resource "azurerm_user_assigned_identity" "deploy" {
  name                = "id-reports-deploy-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
}

resource "azurerm_federated_identity_credential" "deploy" {
  for_each            = local.pipelines
  name                = "github-${each.key}"
  resource_group_name = local.rg
  audience            = ["api://AzureADTokenExchange"]
  issuer              = "https://token.actions.githubusercontent.com"
  parent_id           = azurerm_user_assigned_identity.deploy.id
  subject             = each.value
}

# The AKS kubelet identity, wired through `kubelet_identity` rather than `identity`.
resource "azurerm_user_assigned_identity" "kubelet" {
  name                = "id-aks-kubelet-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
}

resource "azurerm_user_assigned_identity" "aks" {
  name                = "id-aks-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-reports-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  dns_prefix          = "aks-reports"

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.aks.id]
  }

  kubelet_identity {
    client_id                 = azurerm_user_assigned_identity.kubelet.client_id
    object_id                 = azurerm_user_assigned_identity.kubelet.principal_id
    user_assigned_identity_id = azurerm_user_assigned_identity.kubelet.id
  }
}

# An Application Gateway reads its TLS certificate from Key Vault with this identity.
resource "azurerm_user_assigned_identity" "gateway" {
  name                = "id-agw-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
}

resource "azurerm_application_gateway" "gateway" {
  name                = "agw-reports-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.gateway.id]
  }

  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }
}

# Created in a module, attached by the caller through the module's output.
module "app_identity" {
  source = "./modules/identity"
  name   = "id-reports-app-${var.environment}"
  rg     = local.rg
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-reports-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "app" {
  name                = "app-reports-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type         = "UserAssigned"
    identity_ids = [module.app_identity.id]
  }
}
