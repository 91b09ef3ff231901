operator_roles = {
  access = "User Access Administrator"
}
