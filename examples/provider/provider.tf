terraform {
  required_providers {
    managed = {
      source  = "managed-dev/managed"
      version = "~> 0.1"
    }
  }
}

# endpoint and token default to MANAGED_ENDPOINT and MANAGED_TOKEN, which keeps the token out of
# the configuration. The token needs keys:read and keys:write.
provider "managed" {}
