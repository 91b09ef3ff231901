module "me" {
  source = "./"
  x = module.me.y
}
output "y" {
  value = var.x
}
variable "x" {}
