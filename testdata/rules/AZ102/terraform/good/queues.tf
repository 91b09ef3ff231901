# One storage account per queue class; the dispatcher gets every account's endpoint, and reads
# the queues with its managed identity.
resource "azurerm_storage_account" "queues" {
  for_each                 = toset(["orders", "invoices"])
  name                     = "stq${each.key}${var.environment}"
  resource_group_name      = "rg-jobs"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  shared_access_key_enabled = false
}

resource "azurerm_linux_web_app" "dispatcher" {
  name                = "app-dispatcher-${var.environment}"
  resource_group_name = "rg-jobs"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/0000/resourceGroups/rg-jobs/providers/Microsoft.Web/serverFarms/asp-jobs"

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = { for queue, account in azurerm_storage_account.queues : "QUEUE_${upper(queue)}" => account.primary_queue_endpoint }
}
