import type { AttributePath } from '../diagnostics/attribute-path';
import type { Diagnostics } from '../diagnostics/diagnostics';
import type { CtyType } from '../cty/types';
import type { ObjectValue, Value } from '../cty/values';
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
  /** Ephemeral resources (Terraform ≥ 1.10), keyed by full type name: never stored in state or plan. */
  ephemeralResources?: Record<string, EphemeralResourceDefinition<Client>>;
  /**
   * Provider functions (Terraform ≥ 1.8), keyed by bare name: `provider::<local name>::<name>(…)`.
   * Terraform calls them on an unconfigured provider process, so they get no client, and it
   * checks at apply that a call returns what it returned at plan: they must be pure.
   */
  functions?: Record<string, FunctionDefinition>;
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
  /**
   * Sees each stored state Terraform hands over (UpgradeResourceState, after any upgrade) once the
   * provider is configured. A refresh reads the resource right after, so a provider may note what
   * it will fetch (to fetch it together with other reads); the same call also comes before an
   * apply or a plan without refresh, so it must not do I/O of its own. It must not throw.
   */
  stateLoaded?(request: { state: ObjectValue; client: Client }): void;
}

/**
 * An ephemeral resource: opened afresh in every plan and apply (nothing is stored), renewed while
 * Terraform still needs it, closed after its last user. `private` is any JSON value the provider
 * needs to renew and close it (Terraform keeps it, opaque, between the calls).
 */
export interface EphemeralResourceDefinition<Client = unknown> {
  schema: VersionedSchema;
  validate?(request: ValidateRequest): void | Promise<void>;
  /** Returns the full, wholly known result (config values plus computed attributes). */
  open(request: OperationContext<Client> & { config: ObjectValue }): EphemeralOpenResult | Promise<EphemeralOpenResult>;
  /** Called at `renewAt`; returns the next renewal time, or none to stop renewing. */
  renew?(request: OperationContext<Client> & { private: unknown }): EphemeralRenewResult | Promise<EphemeralRenewResult>;
  /** Called once Terraform no longer needs the value. Receives the private state Open returned. */
  close?(request: OperationContext<Client> & { private: unknown }): void | Promise<void>;
}

export interface EphemeralOpenResult {
  result: ObjectValue;
  /** JSON-serialisable; handed to renew and close. */
  private?: unknown;
  /** When Terraform should call renew (if it still holds the value then). */
  renewAt?: Date;
}

export interface EphemeralRenewResult {
  private?: unknown;
  renewAt?: Date;
}

export interface FunctionParameter {
  name: string;
  type: CtyType;
  description?: string;
  /** Accept null (otherwise Terraform refuses a null argument before calling). */
  allowNull?: boolean;
  /** Accept unknown values (otherwise Terraform skips the call and the result is unknown). */
  allowUnknown?: boolean;
}

export interface FunctionDefinition {
  summary: string;
  description?: string;
  parameters: FunctionParameter[];
  /** Extra trailing arguments, each of this type. */
  variadicParameter?: FunctionParameter;
  returnType: CtyType;
  /**
   * Computes the result from the decoded arguments (variadic ones appended). Throw a
   * FunctionError to tell the user what is wrong with which argument.
   */
  run(args: Value[]): Value | Promise<Value>;
}

export interface DataSourceDefinition<Client = unknown> {
  schema: VersionedSchema;
  validate?(request: ValidateRequest): void | Promise<void>;
  /** Returns the full, wholly known state (config values plus computed attributes). */
  read(request: OperationContext<Client> & { config: ObjectValue }): ObjectValue | Promise<ObjectValue>;
}
