# Import an existing key by its id. The secret cannot be recovered: it stays null in the state.
terraform import managed_api_key.ci_deployer key_0123456789abcdefghijkl
