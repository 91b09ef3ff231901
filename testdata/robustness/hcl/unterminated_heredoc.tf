resource "azurerm_linux_web_app" "a" {
  app_settings = {
    K = <<EOT
Password=x
