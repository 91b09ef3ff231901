# Invalid twice over: the block below is never closed (a syntax error), and the
# next line holds a Latin-1 byte, which is not UTF-8: café
resource "azurerm_resource_group" "app" {
  name     = "rg-app"
  location = 
