terraform {
  backend "azurerm" {
    resource_group_name  = "rg-tfstate"
    storage_account_name = "sttfstateprod"
    container_name       = "tfstate"
    key                  = "app.tfstate"
    use_azuread_auth     = true
  }
}

provider "azurerm" {
  features {}
  use_oidc = true
}

# No default and no tfvars: the pipeline supplies it.
variable "sql_admin_password" {
  type      = string
  sensitive = true
}

data "azurerm_key_vault_secret" "vm_admin" {
  name         = "vm-admin-password"
  key_vault_id = "/subscriptions/0000/resourceGroups/rg-build/providers/Microsoft.KeyVault/vaults/kv-build"
}

resource "random_password" "jump" {
  length = 24
}

resource "azurerm_mssql_server" "sql" {
  name                         = "sql-app-prod"
  resource_group_name          = "rg-app"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_admin_password
}

resource "azurerm_windows_virtual_machine" "build" {
  name                  = "vm-build-01"
  resource_group_name   = "rg-build"
  location              = "westeurope"
  size                  = "Standard_D2s_v5"
  admin_username        = "builder"
  admin_password        = data.azurerm_key_vault_secret.vm_admin.value
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

resource "azurerm_linux_virtual_machine" "jump" {
  name                  = "vm-jump-01"
  resource_group_name   = "rg-build"
  location              = "westeurope"
  size                  = "Standard_B2s"
  admin_username        = "azureuser"
  admin_password        = random_password.jump.result
  network_interface_ids = []

  admin_ssh_key {
    username   = "azureuser"
    public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExample ops@contoso"
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts-gen2"
    version   = "latest"
  }
}

resource "azurerm_postgresql_flexible_server" "db" {
  name                = "psql-app-prod"
  resource_group_name = "rg-app"
  location            = "westeurope"
  version             = "16"
  sku_name            = "GP_Standard_D2s_v3"

  authentication {
    active_directory_auth_enabled = true
    password_auth_enabled         = false
  }
}

# The sample's value names what belongs there: a placeholder, not a key.
resource "azurerm_virtual_network_gateway_connection" "onprem" {
  name                       = "hub-to-onprem"
  location                   = "westeurope"
  resource_group_name        = "rg-hub"
  type                       = "IPsec"
  virtual_network_gateway_id = "/subscriptions/0000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworkGateways/vgw-hub"
  local_network_gateway_id   = "/subscriptions/0000/resourceGroups/rg-hub/providers/Microsoft.Network/localNetworkGateways/lgw-onprem"
  shared_key                 = "shared-key"
}

# JSON settings whose secret comes from Key Vault, and settings with no secret.
resource "azurerm_virtual_machine_extension" "domain_join" {
  name                 = "domain-join"
  virtual_machine_id   = azurerm_windows_virtual_machine.build.id
  publisher            = "Microsoft.Compute"
  type                 = "JsonADDomainExtension"
  type_handler_version = "1.3"
  settings             = jsonencode({ Name = "corp.example.com", User = "corp\\joiner", Restart = true })
  protected_settings   = jsonencode({ Password = data.azurerm_key_vault_secret.vm_admin.value })
}

resource "azurerm_virtual_machine_extension" "script" {
  name                 = "script"
  virtual_machine_id   = azurerm_windows_virtual_machine.build.id
  publisher            = "Microsoft.Compute"
  type                 = "CustomScriptExtension"
  type_handler_version = "1.10"
  protected_settings   = <<SETTINGS
    { "managedIdentity": {}, "fileUris": ["https://stscripts.blob.core.windows.net/s/setup.ps1"] }
SETTINGS
}

# Key Vault holds settings too: a secret not named like a credential is not one.
resource "azurerm_key_vault_secret" "api_version" {
  name         = "openai-api-version"
  value        = "2025-04-01-preview"
  key_vault_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app"
}
