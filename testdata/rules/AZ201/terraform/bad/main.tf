variable "apps" {
  type = map(object({ image = string }))
  default = {
    orders  = { image = "ghcr.io/contoso/orders:1.4.0" }
    billing = { image = "ghcr.io/contoso/billing:2.0.1" }
  }
}

resource "azurerm_linux_web_app" "portal" { # expect: AZ201
  name                = "app-portal"
  resource_group_name = "rg-portal"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-portal/providers/Microsoft.Web/serverFarms/asp"

  site_config {}
}

resource "azurerm_container_app" "svc" { # expect: AZ201
  for_each                     = var.apps
  name                         = "ca-${each.key}"
  container_app_environment_id = "/subscriptions/0000/resourceGroups/rg-apps/providers/Microsoft.App/managedEnvironments/cae"
  resource_group_name          = "rg-apps"
  revision_mode                = "Single"

  template {
    container {
      name   = each.key
      image  = each.value.image
      cpu    = 0.5
      memory = "1Gi"
    }
  }
}

module "worker" {
  source = "./modules/worker"
  name   = "func-worker"
}
