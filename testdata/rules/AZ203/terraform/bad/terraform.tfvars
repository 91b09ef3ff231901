apps = {
  storefront = { kind = "web" }
  checkout   = { kind = "web" }
  catalog    = { kind = "web" }
  admin      = { kind = "web" }
}
