variable "display_name" {
  type = string
}

resource "azuread_application" "ci" {
  display_name = var.display_name
}

resource "azuread_service_principal" "ci" {
  client_id = azuread_application.ci.client_id
}

# A pipeline secret that must be stored, rotated and can leak.
resource "azuread_application_password" "ci" { # expect: AZ205
  application_id = azuread_application.ci.id
  end_date       = "2026-12-31T00:00:00Z"
}
