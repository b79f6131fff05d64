# A key that lives only for one Terraform run: opened during plan and apply, renewed while the
# run lasts, revoked when the run is done, and never written to the plan or the state. Here it
# configures a second provider instance, so the run's long-lived credentials only mint this
# short-lived one.
ephemeral "managed_api_key" "run" {
  name   = "terraform-run"
  scopes = ["keys:read", "keys:write", "deploys:read", "deploys:write", "sites:read", "logs:read"]
  ttl    = "15m"
}

provider "managed" {
  alias = "run"
  token = ephemeral.managed_api_key.run.secret
}

# Created with the ephemeral key: it can grant no more than that key holds.
resource "managed_api_key" "release_bot" {
  provider = managed.run
  name     = "release-bot"
  preset   = "deploy-bot"
  ttl      = "7d"
}
