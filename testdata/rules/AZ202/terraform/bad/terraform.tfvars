environment     = "prod"
vault_uses_rbac = true
