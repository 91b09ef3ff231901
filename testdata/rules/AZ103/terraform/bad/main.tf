variable "environment" {
  type    = string
  default = "prod"
}

# The value comes from terraform.tfvars, but the plan still prints it.
variable "sql_admin_password" { # expect: AZ103
  type        = string
  description = "Administrator password of the SQL server"
}

variable "stripe_api_key" {
  type      = string
  sensitive = true
  default   = "pay-live-Example-2024-Qx7rT9" # expect: AZ103
}

# Not named like a secret, but shaped like one: a caller that overrides it does not remove it.
variable "telemetry_target" {
  type    = string
  default = "InstrumentationKey=00000000-0000-0000-0000-000000000000;EndpointSuffix=example.invalid;AccountKey=ZXhhbXBsZUtleUV4YW1wbGVLZXlFeGFtcGxlS2V5MDE=" # expect: AZ103
}

variable "storage_connection_strings" { # expect: AZ103
  type = map(string)
  default = {}
}

# An object whose default holds a password: the finding hides only the password.
variable "database" {
  type = object({ server = string, login = string, password = string })
  default = {
    server   = "sql-app-prod"
    login    = "sqladmin"
    password = "Db-Object-Example-2024!" # expect: AZ103
  }
}

module "sql" {
  source         = "./modules/sql"
  name           = "sql-app-${var.environment}"
  admin_password = var.sql_admin_password
}
