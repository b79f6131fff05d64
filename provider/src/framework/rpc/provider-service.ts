import type * as grpc from '@grpc/grpc-js';
import { decodeJsonValue } from '../cty/json';
import type { CtyType } from '../cty/types';
import { isWhollyKnown, type ObjectValue } from '../cty/values';
import { DiagnosticError, Diagnostics } from '../diagnostics/diagnostics';
import { log } from '../plugin/logger';
import { blockToProto, checkBlockSchema, impliedType, schemaToProto } from '../schema/schema';
import type { DataSourceDefinition, EphemeralResourceDefinition, ProviderDefinition, ResourceDefinition } from './definitions';
import { privateFromWire, privateToWire, timestampToWire } from './ephemeral-private';
import { callFunction, checkFunctionDefinition, functionToProto } from './functions';
import { planResourceChange } from './plan';
import { keepSemanticallyEqualPrior, validateDeclarations } from '../schema/declarations';
import { attributePathToWire, diagnosticsToWire, readObject, writeDynamicValue } from './wire';

import type { tfplugin6 } from '../protocol/generated/protocol';
import type { ProviderRpc } from '../protocol/load';

/** The decoded request of an RPC (generated from the .proto) and the response object it answers. */
type RequestOf<Name extends ProviderRpc> = InstanceType<(typeof tfplugin6)[Name]['Request']>;
type ResponseOf<Name extends ProviderRpc> = ConstructorParameters<(typeof tfplugin6)[Name]['Response']>[0] & object;
type Handlers = { [Name in ProviderRpc]: (request: RequestOf<Name>, diagnostics: Diagnostics) => Promise<ResponseOf<Name>> };

interface Typed<T> {
  definition: T;
  type: CtyType;
}

/**
 * Maps the tfplugin6 Provider RPCs onto a ProviderDefinition. Every problem, including an
 * exception thrown by provider code, is answered as a diagnostic with gRPC status OK: a gRPC
 * error would reach the user as an opaque "plugin failed to respond".
 */
export class ProviderService<Client> {
  private readonly providerType: CtyType;
  private readonly resources = new Map<string, Typed<ResourceDefinition<Client>>>();
  private readonly dataSources = new Map<string, Typed<DataSourceDefinition<Client>>>();
  private readonly ephemeralResources = new Map<string, Typed<EphemeralResourceDefinition<Client>>>();
  private configured: { client: Client } | undefined;
  private readonly stopController = new AbortController();
  private schemaResponse: object | undefined;

  constructor(private readonly provider: ProviderDefinition<Client>) {
    checkBlockSchema(provider.schema, 'provider');
    this.providerType = impliedType(provider.schema);
    for (const [name, definition] of Object.entries(provider.resources ?? {})) {
      checkBlockSchema(definition.schema, name);
      this.resources.set(name, { definition, type: impliedType(definition.schema) });
    }
    for (const [name, definition] of Object.entries(provider.dataSources ?? {})) {
      checkBlockSchema(definition.schema, name);
      this.dataSources.set(name, { definition, type: impliedType(definition.schema) });
    }
    for (const [name, definition] of Object.entries(provider.ephemeralResources ?? {})) {
      checkBlockSchema(definition.schema, name);
      this.ephemeralResources.set(name, { definition, type: impliedType(definition.schema) });
    }
    for (const [name, definition] of Object.entries(provider.functions ?? {})) checkFunctionDefinition(name, definition);
  }

  /** One function per Provider RPC: decoded request in, response object out (never throws). */
  handlers(): Record<ProviderRpc, (request: object) => Promise<object>> {
    const rpcs = this.rpcs() as unknown as Record<ProviderRpc, (request: object, diagnostics: Diagnostics) => Promise<object>>;
    const handlers = {} as Record<ProviderRpc, (request: object) => Promise<object>>;
    for (const name of Object.keys(rpcs) as ProviderRpc[]) handlers[name] = (request) => this.answer(name, rpcs[name], request);
    return handlers;
  }

  /** The same as a grpc-js service implementation (in-process tests call RPCs through it). */
  grpcImplementation(): grpc.UntypedServiceImplementation {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [name, handle] of Object.entries(this.handlers())) {
      implementation[name] = (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
        void handle(call.request).then((response) => callback(null, response));
      };
    }
    return implementation;
  }

  private rpcs(): Handlers {
    const rpcs: Handlers = {
      GetProviderSchema: async () => this.getProviderSchema(),
      ValidateProviderConfig: (request, diagnostics) => this.validateProviderConfig(request, diagnostics),
      ValidateResourceConfig: (request, diagnostics) => this.validateResourceConfig(request, diagnostics),
      ValidateDataResourceConfig: (request, diagnostics) => this.validateDataResourceConfig(request, diagnostics),
      UpgradeResourceState: (request, diagnostics) => this.upgradeResourceState(request, diagnostics),
      ConfigureProvider: (request, diagnostics) => this.configureProvider(request, diagnostics),
      ReadResource: (request, diagnostics) => this.readResource(request, diagnostics),
      PlanResourceChange: (request, diagnostics) => this.planResourceChange(request, diagnostics),
      ApplyResourceChange: (request, diagnostics) => this.applyResourceChange(request, diagnostics),
      ImportResourceState: (request, diagnostics) => this.importResourceState(request, diagnostics),
      ReadDataSource: (request, diagnostics) => this.readDataSource(request, diagnostics),
      StopProvider: async () => this.stopProvider(),
      GetFunctions: async () => ({ functions: this.functionsToProto() }),
      CallFunction: (request) => callFunction(String(request.name ?? ''), this.provider.functions?.[request.name], request.arguments ?? []),
      ValidateEphemeralResourceConfig: (request, diagnostics) => this.validateEphemeralResourceConfig(request, diagnostics),
      OpenEphemeralResource: (request, diagnostics) => this.openEphemeralResource(request, diagnostics),
      RenewEphemeralResource: (request, diagnostics) => this.renewEphemeralResource(request, diagnostics),
      CloseEphemeralResource: (request, diagnostics) => this.closeEphemeralResource(request, diagnostics),
    };
    return rpcs;
  }

  /** Runs one RPC with exception-to-diagnostic conversion; exposed for in-process tests. */
  async answer(name: string, handler: (request: object, diagnostics: Diagnostics) => Promise<object>, request: object): Promise<object> {
    const diagnostics = new Diagnostics();
    log.debug(`${name} ${(request as { type_name?: string }).type_name ?? ''}`.trim());
    try {
      const response = await handler(request, diagnostics);
      return { ...response, diagnostics: diagnosticsToWire(diagnostics.items) };
    } catch (error) {
      if (error instanceof DiagnosticError) {
        diagnostics.error(error.summary, error.detail, error.path);
      } else {
        log.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        diagnostics.error(`Unexpected error in the ${this.provider.typeName} provider (${name})`, error instanceof Error ? error.message : String(error));
      }
      return { diagnostics: diagnosticsToWire(diagnostics.items) };
    }
  }

  getProviderSchema(): object {
    this.schemaResponse ??= {
      provider: { version: 0, block: blockToProto(this.provider.schema) },
      resource_schemas: mapValues(this.resources, (entry) => schemaToProto(entry.definition.schema)),
      data_source_schemas: mapValues(this.dataSources, (entry) => schemaToProto(entry.definition.schema)),
      ephemeral_resource_schemas: mapValues(this.ephemeralResources, (entry) => schemaToProto(entry.definition.schema)),
      functions: this.functionsToProto(),
      // Everything here is static, so Terraform may reuse one GetProviderSchema answer for all
      // the provider processes of a command (fewer calls per launch).
      server_capabilities: { plan_destroy: false, get_provider_schema_optional: true, move_resource_state: false },
    };
    return this.schemaResponse;
  }

  private async validateProviderConfig(request: RequestOf<'ValidateProviderConfig'>, diagnostics: Diagnostics): Promise<ResponseOf<'ValidateProviderConfig'>> {
    const config = readObject(this.providerType, request.config) ?? {};
    await this.provider.validateConfig?.({ config, diagnostics });
    return {};
  }

  private async validateResourceConfig(request: RequestOf<'ValidateResourceConfig'>, diagnostics: Diagnostics): Promise<ResponseOf<'ValidateResourceConfig'>> {
    const resource = this.resource(request.type_name);
    const config = readObject(resource.type, request.config) ?? {};
    validateDeclarations(resource.definition.schema, config, diagnostics);
    await resource.definition.validate?.({ config, diagnostics });
    return {};
  }

  private async validateDataResourceConfig(
    request: RequestOf<'ValidateDataResourceConfig'>,
    diagnostics: Diagnostics,
  ): Promise<ResponseOf<'ValidateDataResourceConfig'>> {
    const dataSource = this.dataSource(request.type_name);
    const config = readObject(dataSource.type, request.config) ?? {};
    validateDeclarations(dataSource.definition.schema, config, diagnostics);
    await dataSource.definition.validate?.({ config, diagnostics });
    return {};
  }

  /**
   * Called for every resource instance on every run. Same version: decode the stored JSON with
   * the current schema (missing attributes become null, removed ones are dropped). Older
   * version: the resource's upgradeState hook converts it.
   */
  private async upgradeResourceState(request: RequestOf<'UpgradeResourceState'>, diagnostics: Diagnostics): Promise<ResponseOf<'UpgradeResourceState'>> {
    const resource = this.resource(request.type_name);
    const storedVersion = Number(request.version ?? 0);
    const currentVersion = resource.definition.schema.version ?? 0;
    const rawJson = request.raw_state?.json ? Buffer.from(request.raw_state.json).toString('utf8') : '';
    if (rawJson === '') {
      if (request.raw_state?.flatmap && Object.keys(request.raw_state.flatmap).length > 0) {
        throw new DiagnosticError('Unsupported legacy state', `${request.type_name} state is in the pre-0.12 flatmap format, which this provider cannot read.`);
      }
      return { upgraded_state: writeDynamicValue(resource.type, null) };
    }
    if (storedVersion > currentVersion) {
      throw new DiagnosticError(
        'State written by a newer provider',
        `${request.type_name} state has schema version ${storedVersion}, but this provider only knows versions up to ${currentVersion}. Use a newer provider version.`,
      );
    }
    let upgraded: ObjectValue;
    if (storedVersion === currentVersion) {
      upgraded = decodeJsonValue(resource.type, rawJson, { dropUnknownAttributes: true }) as ObjectValue;
    } else if (resource.definition.upgradeState) {
      upgraded = await resource.definition.upgradeState({ version: storedVersion, rawState: JSON.parse(rawJson), diagnostics });
    } else {
      throw new DiagnosticError('Cannot upgrade state', `${request.type_name} has no upgrade from schema version ${storedVersion} to ${currentVersion}.`);
    }
    if (this.configured && upgraded) resource.definition.stateLoaded?.({ state: upgraded, client: this.configured.client });
    return { upgraded_state: writeDynamicValue(resource.type, upgraded) };
  }

  private async configureProvider(request: RequestOf<'ConfigureProvider'>, diagnostics: Diagnostics): Promise<ResponseOf<'ConfigureProvider'>> {
    const config = readObject(this.providerType, request.config) ?? {};
    const client = await this.provider.configure({ config, terraformVersion: request.terraform_version ?? '', diagnostics });
    if (!diagnostics.hasErrors()) this.configured = { client };
    return {};
  }

  private async readResource(request: RequestOf<'ReadResource'>, diagnostics: Diagnostics): Promise<ResponseOf<'ReadResource'>> {
    const resource = this.resource(request.type_name);
    const state = readObject(resource.type, request.current_state);
    // The response's private replaces the stored one, so it is always echoed.
    const privateBytes = request.private ?? Buffer.alloc(0);
    if (state === null) return { new_state: writeDynamicValue(resource.type, null), private: privateBytes };
    const newState = await resource.definition.read({ ...this.operationContext(diagnostics), state });
    if (newState !== null) {
      this.requireWhollyKnown(newState, `${request.type_name} read`);
      keepSemanticallyEqualPrior(resource.definition.schema, state, newState);
    }
    return { new_state: writeDynamicValue(resource.type, newState), private: privateBytes };
  }

  private async planResourceChange(request: RequestOf<'PlanResourceChange'>, diagnostics: Diagnostics): Promise<ResponseOf<'PlanResourceChange'>> {
    const resource = this.resource(request.type_name);
    const outcome = await planResourceChange(resource.definition, {
      prior: readObject(resource.type, request.prior_state),
      proposed: readObject(resource.type, request.proposed_new_state),
      config: readObject(resource.type, request.config),
      client: this.configured?.client,
      diagnostics,
    });
    return {
      planned_state: writeDynamicValue(resource.type, outcome.planned),
      requires_replace: outcome.requiresReplace.map(attributePathToWire),
      planned_private: request.prior_private ?? Buffer.alloc(0),
      legacy_type_system: false,
    };
  }

  private async applyResourceChange(request: RequestOf<'ApplyResourceChange'>, diagnostics: Diagnostics): Promise<ResponseOf<'ApplyResourceChange'>> {
    const resource = this.resource(request.type_name);
    const prior = readObject(resource.type, request.prior_state);
    const planned = readObject(resource.type, request.planned_state);
    const config = readObject(resource.type, request.config) ?? {};
    const context = this.operationContext(diagnostics);
    const privateBytes = request.planned_private ?? Buffer.alloc(0);
    if (planned === null) {
      if (prior !== null) await resource.definition.delete({ ...context, prior });
      // A failed delete keeps the prior state so Terraform still tracks the object.
      return { new_state: writeDynamicValue(resource.type, diagnostics.hasErrors() ? prior : null), private: privateBytes };
    }
    const newState =
      prior === null
        ? await resource.definition.create({ ...context, planned, config })
        : await resource.definition.update({ ...context, prior, planned, config });
    if (!diagnostics.hasErrors()) this.requireWhollyKnown(newState, `${request.type_name} apply`);
    return { new_state: writeDynamicValue(resource.type, newState), private: privateBytes };
  }

  private async importResourceState(request: RequestOf<'ImportResourceState'>, diagnostics: Diagnostics): Promise<ResponseOf<'ImportResourceState'>> {
    const resource = this.resource(request.type_name);
    const id = String(request.id ?? '');
    let state: ObjectValue;
    if (resource.definition.importState) {
      state = await resource.definition.importState({ ...this.operationContext(diagnostics), id });
    } else {
      if (!('id' in resource.definition.schema.attributes)) {
        throw new DiagnosticError('Import not supported', `${request.type_name} has no id attribute and no importState hook.`);
      }
      state = { id };
    }
    if (diagnostics.hasErrors()) return {};
    return { imported_resources: [{ type_name: request.type_name, state: writeDynamicValue(resource.type, state), private: Buffer.alloc(0) }] };
  }

  private async readDataSource(request: RequestOf<'ReadDataSource'>, diagnostics: Diagnostics): Promise<ResponseOf<'ReadDataSource'>> {
    const dataSource = this.dataSource(request.type_name);
    const config = readObject(dataSource.type, request.config) ?? {};
    const state = await dataSource.definition.read({ ...this.operationContext(diagnostics), config });
    if (diagnostics.hasErrors()) return {};
    this.requireWhollyKnown(state, `${request.type_name} read`);
    return { state: writeDynamicValue(dataSource.type, state) };
  }

  private functionsToProto(): Record<string, object> {
    return Object.fromEntries(Object.entries(this.provider.functions ?? {}).map(([name, definition]) => [name, functionToProto(definition)]));
  }

  private async validateEphemeralResourceConfig(
    request: RequestOf<'ValidateEphemeralResourceConfig'>,
    diagnostics: Diagnostics,
  ): Promise<ResponseOf<'ValidateEphemeralResourceConfig'>> {
    const ephemeral = this.ephemeralResource(request.type_name);
    const config = readObject(ephemeral.type, request.config) ?? {};
    validateDeclarations(ephemeral.definition.schema, config, diagnostics);
    await ephemeral.definition.validate?.({ config, diagnostics });
    return {};
  }

  /** Terraform opens only wholly known configurations; the result must be wholly known too. */
  private async openEphemeralResource(request: RequestOf<'OpenEphemeralResource'>, diagnostics: Diagnostics): Promise<ResponseOf<'OpenEphemeralResource'>> {
    const ephemeral = this.ephemeralResource(request.type_name);
    const config = readObject(ephemeral.type, request.config) ?? {};
    const opened = await ephemeral.definition.open({ ...this.operationContext(diagnostics), config });
    if (diagnostics.hasErrors()) return {};
    this.requireWhollyKnown(opened.result, `${request.type_name} open`);
    const privateBytes = privateToWire(opened.private);
    return {
      result: writeDynamicValue(ephemeral.type, opened.result),
      ...(privateBytes ? { private: privateBytes } : {}),
      ...(opened.renewAt && ephemeral.definition.renew ? { renew_at: timestampToWire(opened.renewAt) } : {}),
    };
  }

  private async renewEphemeralResource(request: RequestOf<'RenewEphemeralResource'>, diagnostics: Diagnostics): Promise<ResponseOf<'RenewEphemeralResource'>> {
    const ephemeral = this.ephemeralResource(request.type_name);
    if (!ephemeral.definition.renew) return {};
    const previous = privateFromWire(request.private);
    const renewed = await ephemeral.definition.renew({ ...this.operationContext(diagnostics), private: previous });
    const privateBytes = privateToWire(renewed.private === undefined ? previous : renewed.private);
    return {
      ...(privateBytes ? { private: privateBytes } : {}),
      ...(renewed.renewAt ? { renew_at: timestampToWire(renewed.renewAt) } : {}),
    };
  }

  private async closeEphemeralResource(request: RequestOf<'CloseEphemeralResource'>, diagnostics: Diagnostics): Promise<ResponseOf<'CloseEphemeralResource'>> {
    const ephemeral = this.ephemeralResource(request.type_name);
    await ephemeral.definition.close?.({ ...this.operationContext(diagnostics), private: privateFromWire(request.private) });
    return {};
  }

  private stopProvider(): object {
    log.info('StopProvider received: cancelling operations in flight');
    this.stopController.abort(new Error('Terraform asked the provider to stop'));
    return { Error: '' };
  }

  private operationContext(diagnostics: Diagnostics): { client: Client; diagnostics: Diagnostics; signal: AbortSignal } {
    if (!this.configured) {
      throw new DiagnosticError('Provider not configured', `The ${this.provider.typeName} provider was used before ConfigureProvider succeeded.`);
    }
    return { client: this.configured.client, diagnostics, signal: this.stopController.signal };
  }

  private requireWhollyKnown(value: ObjectValue, what: string): void {
    if (!isWhollyKnown(value)) {
      throw new DiagnosticError('Provider returned an incomplete object', `${what} left some values unknown; every attribute must be known after this step.`);
    }
  }

  private resource(typeName: string): Typed<ResourceDefinition<Client>> {
    const resource = this.resources.get(typeName);
    if (!resource) throw new DiagnosticError('Unknown resource type', `The ${this.provider.typeName} provider has no resource type "${typeName}".`);
    return resource;
  }

  private ephemeralResource(typeName: string): Typed<EphemeralResourceDefinition<Client>> {
    const ephemeral = this.ephemeralResources.get(typeName);
    if (!ephemeral) throw new DiagnosticError('Unknown ephemeral resource', `The ${this.provider.typeName} provider has no ephemeral resource "${typeName}".`);
    return ephemeral;
  }

  private dataSource(typeName: string): Typed<DataSourceDefinition<Client>> {
    const dataSource = this.dataSources.get(typeName);
    if (!dataSource) throw new DiagnosticError('Unknown data source', `The ${this.provider.typeName} provider has no data source "${typeName}".`);
    return dataSource;
  }
}

function mapValues<T>(entries: Map<string, T>, convert: (entry: T) => object): Record<string, object> {
  return Object.fromEntries([...entries].map(([name, entry]) => [name, convert(entry)]));
}
