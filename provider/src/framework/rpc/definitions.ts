import type { AttributePath } from '../diagnostics/attribute-path';
import type { Diagnostics } from '../diagnostics/diagnostics';
import type { ObjectValue } from '../cty/values';
import type { BlockSchema, VersionedSchema } from '../schema/schema';

/**
 * What a provider author writes. Values are decoded cty values (see cty/values.ts): objects with
 * every attribute key, `unknown` for "known after apply", null for null.
 *
 * Every hook may be async, may add diagnostics, and may throw: a thrown error becomes an error
 * diagnostic (a DiagnosticError keeps its summary, detail and path).
 */
export interface ProviderDefinition<Client = unknown> {
  /** Provider type name, the prefix of every resource type: "managed" for managed_api_key. */
  typeName: string;
  /** Full source address, used by the debug mode's TF_REATTACH_PROVIDERS value. */
  address: string;
  version: string;
  /** The `provider "x" { … }` block. */
  schema: BlockSchema;
  validateConfig?(request: ValidateRequest): void | Promise<void>;
  /**
   * Called once per provider process before resources are used. Its result is handed to every
   * resource and data source operation as `client`. The config may hold unknowns during plan.
   */
  configure(request: ConfigureRequest): Client | Promise<Client>;
  /** Keyed by full type name, e.g. "managed_api_key". */
  resources?: Record<string, ResourceDefinition<Client>>;
  dataSources?: Record<string, DataSourceDefinition<Client>>;
}

export interface ValidateRequest {
  /** May contain unknowns (values not decided before apply). */
  config: ObjectValue;
  diagnostics: Diagnostics;
}

export interface ConfigureRequest {
  config: ObjectValue;
  terraformVersion: string;
  diagnostics: Diagnostics;
}

/** Common to operations that talk to the remote system. */
export interface OperationContext<Client> {
  client: Client;
  diagnostics: Diagnostics;
  /** Aborted when Terraform sends StopProvider (Ctrl-C): cancel network calls. */
  signal: AbortSignal;
}

export interface PlanRequest<Client> {
  /** null when the resource is being created. */
  prior: ObjectValue | null;
  config: ObjectValue;
  /**
   * The framework's plan, to edit in place: config values, prior values kept for computed
   * attributes on update, `unknown` for computed attributes null in config on create.
   */
  planned: ObjectValue;
  diagnostics: Diagnostics;
  /** Plan a replacement when this attribute's change goes ahead (in addition to requiresReplace attributes). */
  requireReplacement(path: AttributePath): void;
  /** Undefined when the provider has not been configured in this process (Terraform normally configures first). */
  client: Client | undefined;
}

export interface ResourceDefinition<Client = unknown> {
  schema: VersionedSchema;
  validate?(request: ValidateRequest): void | Promise<void>;
  /** Adjust the plan: mark computed attributes unknown when another attribute changes, add warnings, … */
  modifyPlan?(request: PlanRequest<Client>): void | Promise<void>;
  /** Returns the full new state; every value known in `planned` must be returned unchanged. */
  create(request: OperationContext<Client> & { planned: ObjectValue; config: ObjectValue }): ObjectValue | Promise<ObjectValue>;
  /** Returns the remote truth, or null when the object no longer exists (Terraform then plans a create). */
  read(request: OperationContext<Client> & { state: ObjectValue }): ObjectValue | null | Promise<ObjectValue | null>;
  update(request: OperationContext<Client> & { prior: ObjectValue; planned: ObjectValue; config: ObjectValue }): ObjectValue | Promise<ObjectValue>;
  delete(request: OperationContext<Client> & { prior: ObjectValue }): void | Promise<void>;
  /**
   * Turns `terraform import <address> <id>` into an id-only state that `read` then completes.
   * Default: an object whose `id` attribute is the given id and every other attribute null.
   */
  importState?(request: OperationContext<Client> & { id: string }): ObjectValue | Promise<ObjectValue>;
  /**
   * Converts state written with an older `schema.version` (raw JSON as stored) to the current
   * schema. Without it, a state of another version is reported as an error.
   */
  upgradeState?(request: { version: number; rawState: unknown; diagnostics: Diagnostics }): ObjectValue | Promise<ObjectValue>;
}

export interface DataSourceDefinition<Client = unknown> {
  schema: VersionedSchema;
  validate?(request: ValidateRequest): void | Promise<void>;
  /** Returns the full, wholly known state (config values plus computed attributes). */
  read(request: OperationContext<Client> & { config: ObjectValue }): ObjectValue | Promise<ObjectValue>;
}
