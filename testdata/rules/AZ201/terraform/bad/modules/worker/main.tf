variable "name" {
  type = string
}

resource "azurerm_linux_function_app" "this" { # expect: AZ201
  name                       = var.name
  resource_group_name        = "rg-worker"
  location                   = "westeurope"
  service_plan_id            = "/subscriptions/0000/resourceGroups/rg-worker/providers/Microsoft.Web/serverFarms/asp"
  storage_account_name       = "stworker"
  storage_account_access_key = "placeholder-see-AZ102"

  site_config {}
}
