# One storage account per queue class; the dispatcher reads every account's connection string
# through a `for` over the whole `for_each` resource.
resource "azurerm_storage_account" "queues" {
  for_each                 = toset(["orders", "invoices"])
  name                     = "stq${each.key}${var.environment}"
  resource_group_name      = "rg-jobs"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_linux_web_app" "dispatcher" {
  name                = "app-dispatcher-${var.environment}"
  resource_group_name = "rg-jobs"
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.plan.id

  site_config {}

  identity {
    type = "SystemAssigned"
  }

  app_settings = { for queue, account in azurerm_storage_account.queues : "QUEUE_${upper(queue)}" => account.primary_connection_string } # expect: AZ102
}
