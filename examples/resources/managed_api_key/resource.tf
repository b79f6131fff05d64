# A CI deploy key: the deploy-bot preset plus one scope, usable only from the CI runners'
# networks, living 30 days. Changing ttl or a constraint (team_id, project_id, site_id) replaces
# the key; changing name, description, preset, scopes or ip_allowlist updates it in place.
resource "managed_api_key" "ci_deployer" {
  name         = "ci-deployer"
  description  = "Deploys sites from CI"
  preset       = "deploy-bot"
  scopes       = ["metrics:read"]
  ip_allowlist = ["10.0.0.0/8", "2001:db8::/32"]
  ttl          = "30d"
}

# The secret is known only to the state that created the key: publish it as a sensitive output
# (`terraform output -raw ci_deployer_secret`) or pass it straight to where it is used.
output "ci_deployer_secret" {
  value     = managed_api_key.ci_deployer.secret
  sensitive = true
}
