/**
 * @managed-dev/contract: the facts the control plane, the Terraform provider and the CDKTF
 * bindings share — the scope catalog and grammar, presets, role ceilings, TTL parsing, CIDR
 * rules, id prefixes, the secret format and the API's wire types. Pure; imported by name.
 */
export * from './scope-catalog';
export * from './scopes';
export * from './ttl';
export * from './cidr';
export * from './ids';
export * from './base62';
export * from './random-pool';
export * from './secret';
export * from './wire';
export * from './errors';
export * from './suggest';
export type { ScopeName, PresetName } from './generated/catalog';
export type * from './generated/requests';
