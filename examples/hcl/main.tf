# A plain Terraform configuration for managed.dev API keys.
# See README.md in this folder for installing the provider locally and running it.

terraform {
  required_version = ">= 1.0"
  required_providers {
    managed = {
      source = "managed-dev/managed"
    }
  }
}

# endpoint and token default to MANAGED_ENDPOINT and MANAGED_TOKEN, which keeps the secret
# out of the configuration. The token needs keys:read and keys:write.
provider "managed" {}

# The scope catalog and presets, read from the control plane.
data "managed_scopes" "catalog" {}

# A CI deploy key: the deploy-bot preset, usable only from the CI runners' network,
# living 30 days. Changing ttl or team_id replaces the key (new id, new secret).
resource "managed_api_key" "ci_deploy" {
  name         = "ci-deploy"
  description  = "Deploys sites from CI"
  preset       = "deploy-bot"
  team_id      = var.team_id
  ip_allowlist = var.ci_networks
  ttl          = "30d"
}

# A read-only dashboard key with explicit scopes. Editing scopes updates the key in place.
resource "managed_api_key" "grafana" {
  name   = "grafana-readonly"
  scopes = ["sites:read", "deploys:read", "logs:read", "metrics:read"]
}

# Metadata of a key by id (never the secret): here, the key just created.
data "managed_api_key" "ci_deploy" {
  id = managed_api_key.ci_deploy.id
}
