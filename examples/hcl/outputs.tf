output "ci_deploy_key_id" {
  value = managed_api_key.ci_deploy.id
}

# Sensitive: shown as (sensitive value); read it with `terraform output -raw ci_deploy_secret`.
output "ci_deploy_secret" {
  value     = managed_api_key.ci_deploy.secret
  sensitive = true
}

output "grafana_secret" {
  value     = managed_api_key.grafana.secret
  sensitive = true
}

output "ci_deploy_effective_scopes" {
  value = managed_api_key.ci_deploy.effective_scopes
}

output "ci_deploy_status" {
  value = data.managed_api_key.ci_deploy.status
}

output "ci_deploy_expires_at" {
  value = managed_api_key.ci_deploy.expires_at
}

output "dangerous_scopes" {
  description = "Scopes a wildcard never grants; a key gets them only by naming them."
  value       = [for scope in data.managed_scopes.catalog.scopes : scope.name if scope.dangerous]
}

output "presets" {
  value = data.managed_scopes.catalog.presets
}
