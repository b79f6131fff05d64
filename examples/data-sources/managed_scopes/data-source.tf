# The scope catalog and presets, as the control plane serves them (no credentials needed).
data "managed_scopes" "catalog" {}

output "dangerous_scopes" {
  description = "Scopes a wildcard never grants; a key gets them only by naming them."
  value       = [for scope in data.managed_scopes.catalog.scopes : scope.name if scope.dangerous]
}

output "deploy_bot_scopes" {
  value = data.managed_scopes.catalog.presets["deploy-bot"]
}
