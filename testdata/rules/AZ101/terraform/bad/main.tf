variable "environment" {
  type    = string
  default = "prod"
}

variable "db_user" {
  type = string
}

variable "db_password" {
  type      = string
  sensitive = true
}

# Its value is in ci.auto.tfvars.json, the JSON form of a variable file.
variable "queue_connection" {
  type      = string
  sensitive = true
}

locals {
  apps            = toset(["api", "worker"])
  common_settings = { WEBSITE_RUN_FROM_PACKAGE = "1" }
  # A storage key pasted into a local: the classic leak.
  storage_connection = "DefaultEndpointsProtocol=https;AccountName=stapp${var.environment};AccountKey=bG9yZW0taXBzdW0tZXhhbXBsZS1rZXktbm90LXJlYWwtMDAwMDAwMDAwMDAwMDAwMA==;EndpointSuffix=core.windows.net"
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-app-${var.environment}"
  resource_group_name = "rg-app-${var.environment}"
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "app" {
  for_each            = local.apps
  name                = "app-${each.key}-${var.environment}"
  resource_group_name = azurerm_service_plan.plan.resource_group_name
  location            = azurerm_service_plan.plan.location
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  # Each finding points at its own setting, not at the whole merge.
  app_settings = merge(local.common_settings, {
    STORAGE_CONNECTION = local.storage_connection # expect: AZ101
    DB_PASSWORD        = var.db_password # expect: AZ101
    QUEUE_CONNECTION   = var.queue_connection # expect: AZ101
    API_TOKEN          = lookup({ prod = "tok-4f8a9c2e7b1d6053e9" }, var.environment, "") # expect: AZ101
    KEY_VAULT_NAME     = "kv-app-${var.environment}"
    # The format of Azure Cache for Redis, whose entries a comma separates.
    REDIS_CONNECTION = "redis-app.redis.cache.windows.net:6380,password=cmVkaXMtZXhhbXBsZS1rZXk=,ssl=True" # expect: AZ101
    # A configuration object in one setting, as JSON text, with a part not known.
    APP_CONFIG = jsonencode({ database = { user = var.db_user, password = "Db-Json-Example-2024!" }, cache = { token = "Tok-Json-Example-2024!" } }) # expect: AZ101
  })

  connection_string {
    name  = "Database"
    type  = "SQLAzure"
    value = "Server=tcp:sql-app.database.windows.net;Database=app;User ID=app;Password=${var.db_password};" # expect: AZ101
  }
}

module "jobs" {
  source          = "./modules/function"
  name            = "func-jobs-${var.environment}"
  service_plan_id = azurerm_service_plan.plan.id
  api_token       = "ghp_exampleexampleexampleexample000000"
}
