variable "environment" {
  type    = string
  default = "prod"
}

locals {
  rg = "rg-reports-${var.environment}"
}

resource "azurerm_storage_account" "reports" {
  name                     = "streports${var.environment}"
  resource_group_name      = local.rg
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

# Left behind when the reports app moved to its system-assigned identity: nothing attaches it,
# yet it can still read every report blob.
resource "azurerm_user_assigned_identity" "reports_legacy" { # expect: AZ204
  name                = "id-reports-legacy-${var.environment}"
  resource_group_name = local.rg
  location            = "westeurope"
}

resource "azurerm_role_assignment" "legacy_blob_reader" {
  scope                = azurerm_storage_account.reports.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.reports_legacy.principal_id
}

module "batch" {
  source   = "./modules/batch"
  rg       = local.rg
  scope_id = azurerm_storage_account.reports.id
}
