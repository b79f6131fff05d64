variable "team_id" {
  description = "Pin the CI deploy key to one team (team_…); null leaves it unconstrained."
  type        = string
  default     = null
}

variable "ci_networks" {
  description = "CIDRs the CI deploy key may be used from; canonical form (network address)."
  type        = list(string)
  default     = ["10.0.0.0/8", "2001:db8::/32"]
}
