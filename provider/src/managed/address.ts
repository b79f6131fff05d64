/**
 * Where Terraform finds this provider. One constant, because the provider, its mirror, its
 * schema export, the CDKTF generator, the demo and the tests must all agree on it.
 */
export const PROVIDER_ADDRESS = 'registry.terraform.io/managed-dev/managed';
