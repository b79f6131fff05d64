/**
 * CDKTF bindings for managed.dev API keys.
 *
 *   import { ApiKey, Constraint, ManagedProvider, Ttl } from './cdktf-bindings';
 *
 * `ManagedProvider` and the `managed` namespace are generated from schema/provider.json
 * (`npm run generate:bindings`); `ApiKey`, `Ttl` and `Constraint` are written by hand.
 */
export { ManagedProvider } from './generated/cdktf/providers/managed/provider';
export type { ManagedProviderConfig } from './generated/cdktf/providers/managed/provider';
export { ApiKey } from './api-key';
export type { ApiKeyProps, ApiKeyRotation } from './api-key';
export { Constraint } from './constraint';
export type { ApiKeyConstraint } from './constraint';
export { Ttl } from './ttl';
export { DANGEROUS_SCOPES, PRESET_SCOPES, SCOPES } from './generated/scopes';
export type { Preset, Scope } from './generated/scopes';
/** Every generated L1 class: `managed.apiKey.ApiKey`, `managed.dataManagedScopes.DataManagedScopes`, … */
export * as managed from './generated/cdktf/providers/managed';
