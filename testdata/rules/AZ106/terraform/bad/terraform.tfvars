acr_admin = true
