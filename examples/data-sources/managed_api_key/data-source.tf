# A key's metadata by id, never its secret: here, the key declared in the resource example.
data "managed_api_key" "ci_deployer" {
  id = managed_api_key.ci_deployer.id
}

output "ci_deployer_status" {
  value = data.managed_api_key.ci_deployer.status
}
