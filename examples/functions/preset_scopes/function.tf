# The scopes a preset stands for, known at plan time without calling the control plane: useful
# to add to a preset without copying its list.
output "deploy_bot_plus_metrics" {
  value = concat(provider::managed::preset_scopes("deploy-bot"), ["metrics:read"])
}
