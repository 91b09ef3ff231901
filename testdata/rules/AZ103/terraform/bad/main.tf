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

variable "storage_connection_strings" { # expect: AZ103
  type = map(string)
  default = {}
}

module "sql" {
  source         = "./modules/sql"
  name           = "sql-app-${var.environment}"
  admin_password = var.sql_admin_password
}
