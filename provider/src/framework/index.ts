/**
 * A reusable Terraform provider framework for Node.js: plugin protocol 6 over go-plugin's
 * handshake and automatic mutual TLS, with a terraform-plugin-framework-style resource model.
 * It knows nothing of any particular provider. See README.md in this folder.
 */
export { serve, type ServeOptions } from './plugin/serve';
export { startPluginServer, type PluginServerOptions, type RunningPluginServer } from './plugin/server';
export { log } from './plugin/logger';
export { deferredExtraCaCertificates, DEFER_EXTRA_CA_CERTS_SHELL_LINES, DEFERRED_EXTRA_CA_CERTS_VARIABLE } from './plugin/extra-ca-certificates';
export type {
  ProviderDefinition,
  ResourceDefinition,
  DataSourceDefinition,
  EphemeralResourceDefinition,
  EphemeralOpenResult,
  EphemeralRenewResult,
  FunctionDefinition,
  FunctionParameter,
  ValidateRequest,
  ConfigureRequest,
  OperationContext,
  PlanRequest,
} from './rpc/definitions';
export type { AttributeValidator, AttributePlanModifier } from './schema/schema';
export type { AttributeSchema, BlockSchema, NestedBlockSchema, VersionedSchema, BlockNesting } from './schema/schema';
export { impliedType } from './schema/schema';
export { types, typeToJson, typeFromJson, type CtyType } from './cty/types';
export {
  unknown,
  isUnknown,
  isWhollyKnown,
  Unknown,
  DecimalNumber,
  Dynamic,
  type Value,
  type ObjectValue,
  type CtyNumber,
  type UnknownRefinements,
} from './cty/values';
export { toJsNumber, numberFromDecimalText, numberToText } from './cty/numbers';
export { valuesEqual } from './cty/equality';
export { encodeMsgpack, decodeMsgpack } from './cty/msgpack';
export { decodeJsonValue } from './cty/json';
export { AttributePath, attributePath, type PathStep } from './diagnostics/attribute-path';
export { FunctionError } from './diagnostics/function-error';
export { Diagnostics, DiagnosticError, type Diagnostic, type Severity } from './diagnostics/diagnostics';
