admin_object_id = "33333333-3333-3333-3333-333333333333"
use_rbac        = false
