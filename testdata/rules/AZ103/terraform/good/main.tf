variable "sql_admin_password" {
  type      = string
  sensitive = true
}

variable "password_min_length" {
  type    = number
  default = 12
}

variable "secret_rotation_enabled" {
  type    = bool
  default = true
}

variable "key_vault_name" {
  type    = string
  default = "kv-app-prod"
}

variable "secret_permissions" {
  type    = list(string)
  default = ["Get", "List"]
}

variable "token_audience" {
  type    = string
  default = "api://app-prod"
}

variable "ssh_public_key" {
  type    = string
  default = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExample ops@contoso"
}

# Sensitive, and the default is empty: the pipeline must supply it.
variable "admin_password" {
  type      = string
  sensitive = true
  default   = ""
}

variable "federated_credentials" {
  type = map(object({
    issuer  = string
    subject = string
  }))
  default = {}
}

# An object default without a secret: names, a Key Vault reference and a public key.
variable "database" {
  type = object({ server = string, password_secret_uri = string, ssh_key = string })
  default = {
    server              = "sql-app-prod"
    password_secret_uri = "@Microsoft.KeyVault(SecretUri=https://kv-app-prod.vault.azure.net/secrets/sql-password/)"
    ssh_key             = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExample ops@contoso"
  }
}
