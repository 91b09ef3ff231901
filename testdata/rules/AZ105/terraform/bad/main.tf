terraform {
  backend "azurerm" {
    resource_group_name  = "rg-tfstate"
    storage_account_name = "sttfstateprod"
    container_name       = "tfstate"
    key                  = "app.tfstate"
    access_key           = "c2VjcmV0LWtleS1leGFtcGxlLW9ubHktbm90LXJlYWwtMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA==" # expect: AZ105
  }
}

provider "azurerm" {
  features {}
  client_id     = "00000000-0000-0000-0000-000000000000"
  client_secret = "Qx8Q~Example.Secret-Value_2024abcdEFGH" # expect: AZ105
  tenant_id     = "11111111-1111-1111-1111-111111111111"
}

variable "sql_admin_password" {
  type      = string
  sensitive = true
}

locals {
  vms         = toset(["build-01", "build-02"])
  vm_password = "Vm-Admin-Example-2024!"
}

resource "azurerm_mssql_server" "sql" {
  name                         = "sql-app-prod"
  resource_group_name          = "rg-app"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_admin_password # expect: AZ105
}

resource "azurerm_windows_virtual_machine" "build" {
  for_each              = local.vms
  name                  = "vm-${each.key}"
  resource_group_name   = "rg-build"
  location              = "westeurope"
  size                  = "Standard_D2s_v5"
  admin_username        = "builder"
  admin_password        = local.vm_password # expect: AZ105
  network_interface_ids = []

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }

  source_image_reference {
    publisher = "MicrosoftWindowsServer"
    offer     = "WindowsServer"
    sku       = "2022-datacenter-azure-edition"
    version   = "latest"
  }
}

module "jumpbox" {
  source         = "./modules/vm"
  name           = "vm-jump-01"
  admin_password = "Jump-Box-Example-2024!"
}

# A VM extension's settings are JSON text: a credential inside it is as literal as any, beside
# a value that is not known.
variable "domain_join_user" {
  type = string
}

variable "scripts_account" {
  type = string
}

locals {
  domain_join_settings = <<SETTINGS
    {
      "User": "corp\\${var.domain_join_user}",
      "Password": "Join-Domain-Example-2024!"
    }
SETTINGS
}

resource "azurerm_virtual_machine_extension" "domain_join" {
  name                 = "domain-join"
  virtual_machine_id   = azurerm_windows_virtual_machine.build["build-01"].id
  publisher            = "Microsoft.Compute"
  type                 = "JsonADDomainExtension"
  type_handler_version = "1.3"
  settings             = jsonencode({ Name = "corp.example.com", Restart = true })
  protected_settings   = local.domain_join_settings # expect: AZ105
}

resource "azurerm_virtual_machine_extension" "script" {
  name                 = "script"
  virtual_machine_id   = azurerm_windows_virtual_machine.build["build-02"].id
  publisher            = "Microsoft.Compute"
  type                 = "CustomScriptExtension"
  type_handler_version = "1.10"
  # The account's name is not known: the key beside it is read all the same.
  protected_settings = jsonencode({
    storageAccountName = var.scripts_account
    storageAccountKey  = "c2NyaXB0cy1rZXktZXhhbXBsZS1vbmx5LW5vdC1yZWFsLTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA==" # expect: AZ105
  })
}

resource "azurerm_key_vault_secret" "db" {
  name         = "db-password"
  value        = "Kv-Secret-Example-2024!" # expect: AZ105
  key_vault_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app"
}
