import { decodeMsgpack, encodeMsgpack } from '../../../../provider/src/framework/cty/msgpack';
import { types } from '../../../../provider/src/framework/cty/types';
import { isUnknown, unknown, type ObjectValue } from '../../../../provider/src/framework/cty/values';
import { AttributePath } from '../../../../provider/src/framework/diagnostics/attribute-path';
import type { ProviderDefinition, ResourceDefinition } from '../../../../provider/src/framework/rpc/definitions';
import { ProviderService } from '../../../../provider/src/framework/rpc/provider-service';
import { impliedType } from '../../../../provider/src/framework/schema/schema';
import { callRpc } from './call-rpc';

const widget: ResourceDefinition<{ calls: string[] }> = {
  schema: {
    version: 1,
    attributes: {
      name: { type: types.string, required: true },
      region: { type: types.string, optional: true, requiresReplace: true },
      ports: { type: types.set(types.number), optional: true },
      id: { type: types.string, computed: true },
      token: { type: types.string, computed: true, sensitive: true },
      fingerprint: { type: types.string, optional: true, computed: true },
    },
    blocks: {
      rule: { nesting: 'list', block: { attributes: { action: { type: types.string, required: true }, rule_id: { type: types.string, computed: true } } } },
    },
  },
  validate({ config, diagnostics }) {
    if (config.name === 'bad') diagnostics.error('Bad name', 'not allowed', AttributePath.root('name'));
  },
  modifyPlan({ prior, planned, diagnostics }) {
    if (prior && prior.name !== planned.name) planned.fingerprint = unknown;
    if (planned.name === 'warn') diagnostics.warning('Heads up');
  },
  create: ({ planned, client }) => {
    client.calls.push('create');
    return { ...planned, id: 'w-1', token: 's3cret', fingerprint: 'f1', rule: [] };
  },
  read: ({ state }) => (state.id === 'gone' ? null : state),
  stateLoaded: ({ state, client }) => {
    client.calls.push(`loaded ${String(state.id)}`);
  },
  update: ({ planned }) => ({ ...planned, fingerprint: 'f2' }),
  delete: ({ client }) => {
    client.calls.push('delete');
  },
  upgradeState: ({ version, rawState }) => {
    if (version !== 0) throw new Error(`no upgrade from ${version}`);
    const old = rawState as { title: string; id: string };
    return { name: old.title, id: old.id };
  },
};

function providerWith(calls: string[]): ProviderDefinition<{ calls: string[] }> {
  return {
    typeName: 'test',
    address: 'example.com/test/test',
    version: '1.0.0',
    schema: { attributes: { endpoint: { type: types.string, optional: true } } },
    configure: () => ({ calls }),
    resources: { test_widget: widget },
    dataSources: {
      test_echo: {
        schema: { attributes: { input: { type: types.string, required: true }, output: { type: types.string, computed: true } } },
        read: ({ config }) => {
          if (config.input === 'explode') throw new Error('kaboom');
          return { ...config, output: String(config.input).toUpperCase() };
        },
      },
    },
  };
}

const widgetType = impliedType(widget.schema);
const dv = (value: ObjectValue | null) => ({ msgpack: Buffer.from(encodeMsgpack(widgetType, value)) });
const read = (wire: { msgpack: Buffer } | undefined) => decodeMsgpack(widgetType, wire?.msgpack ?? Buffer.alloc(0)) as ObjectValue | null;
const base = { name: 'alpha', region: 'eu', ports: [80], id: null, token: null, fingerprint: null, rule: [{ action: 'allow', rule_id: null }] };

async function configuredService(calls: string[] = []): Promise<ProviderService<{ calls: string[] }>> {
  const service = new ProviderService(providerWith(calls));
  await callRpc(service, 'ConfigureProvider', {
    terraform_version: '1.11.4',
    config: { msgpack: Buffer.from(encodeMsgpack(types.object({ endpoint: types.string }), { endpoint: null })) },
  });
  return service;
}

describe('ProviderService', () => {
  it('describes schemas with cty type JSON, nested blocks and the optional-schema capability', async () => {
    const response = await callRpc(new ProviderService(providerWith([])), 'GetProviderSchema', {});
    const schema = response.resource_schemas.test_widget;
    expect(schema.version).toBe(1);
    const ports = schema.block.attributes.find((attribute: { name: string }) => attribute.name === 'ports');
    expect(JSON.parse(ports.type.toString())).toEqual(['set', 'number']);
    expect(schema.block.block_types[0]).toMatchObject({ type_name: 'rule', nesting: 2 });
    expect(response.server_capabilities.get_provider_schema_optional).toBe(true);
    expect(response.provider.block.attributes[0].name).toBe('endpoint');
  });

  it('puts validation diagnostics on the attribute path', async () => {
    const response = await callRpc(new ProviderService(providerWith([])), 'ValidateResourceConfig', {
      type_name: 'test_widget',
      config: dv({ ...base, name: 'bad' }),
    });
    expect(response.diagnostics).toEqual([{ severity: 1, summary: 'Bad name', detail: 'not allowed', attribute: { steps: [{ attribute_name: 'name' }] } }]);
  });

  it('plans a create with computed attributes unknown, nested blocks included', async () => {
    const service = await configuredService();
    const response = await callRpc(service, 'PlanResourceChange', {
      type_name: 'test_widget',
      prior_state: dv(null),
      proposed_new_state: dv(base),
      config: dv(base),
    });
    const planned = read(response.planned_state)!;
    expect(isUnknown(planned.id) && isUnknown(planned.token) && isUnknown(planned.fingerprint)).toBe(true);
    expect(isUnknown((planned.rule as ObjectValue[])[0].rule_id)).toBe(true);
    expect(planned.name).toBe('alpha');
    expect(response.requires_replace).toEqual([]);
    expect(response.legacy_type_system).toBe(false);
  });

  it('keeps prior computed values on update and lets the hook mark one unknown', async () => {
    const service = await configuredService();
    const prior = { ...base, id: 'w-1', token: 't', fingerprint: 'f1', rule: [{ action: 'allow', rule_id: 'r1' }] };
    const proposed = { ...prior, name: 'beta' };
    const response = await callRpc(service, 'PlanResourceChange', {
      type_name: 'test_widget',
      prior_state: dv(prior),
      proposed_new_state: dv(proposed),
      config: dv({ ...base, name: 'beta' }),
    });
    const planned = read(response.planned_state)!;
    expect(planned.id).toBe('w-1');
    expect(planned.token).toBe('t');
    expect(isUnknown(planned.fingerprint)).toBe(true);
    expect(response.requires_replace).toEqual([]);
  });

  it('asks for replacement when a requiresReplace attribute changes, and passes warnings on', async () => {
    const service = await configuredService();
    const prior = { ...base, id: 'w-1', token: 't', fingerprint: 'f1' };
    const proposed = { ...prior, region: 'us', name: 'warn' };
    const response = await callRpc(service, 'PlanResourceChange', {
      type_name: 'test_widget',
      prior_state: dv(prior),
      proposed_new_state: dv(proposed),
      config: dv(proposed),
    });
    expect(response.requires_replace).toEqual([{ steps: [{ attribute_name: 'region' }] }]);
    expect(response.diagnostics).toEqual([expect.objectContaining({ severity: 2, summary: 'Heads up' })]);
  });

  it('plans destroy as null and applies it by deleting', async () => {
    const calls: string[] = [];
    const service = await configuredService(calls);
    const prior = { ...base, id: 'w-1', token: 't', fingerprint: 'f1' };
    const plan = await callRpc(service, 'PlanResourceChange', {
      type_name: 'test_widget',
      prior_state: dv(prior),
      proposed_new_state: dv(null),
      config: dv(null),
    });
    expect(read(plan.planned_state)).toBeNull();
    const apply = await callRpc(service, 'ApplyResourceChange', {
      type_name: 'test_widget',
      prior_state: dv(prior),
      planned_state: dv(null),
      config: dv(null),
    });
    expect(read(apply.new_state)).toBeNull();
    expect(calls).toEqual(['delete']);
  });

  it('creates, echoing private data, and refuses state left unknown', async () => {
    const calls: string[] = [];
    const service = await configuredService(calls);
    const apply = await callRpc(service, 'ApplyResourceChange', {
      type_name: 'test_widget',
      prior_state: dv(null),
      planned_state: dv({ ...base, id: unknown }),
      config: dv(base),
      planned_private: Buffer.from('p'),
    });
    expect(read(apply.new_state)).toMatchObject({ id: 'w-1', token: 's3cret' });
    expect(apply.private.toString()).toBe('p');
    expect(apply.diagnostics).toEqual([]);
    const bad = new ProviderService({ ...providerWith(calls), resources: { test_widget: { ...widget, create: ({ planned }) => planned } } });
    await callRpc(bad, 'ConfigureProvider', {});
    const failed = await callRpc(bad, 'ApplyResourceChange', {
      type_name: 'test_widget',
      prior_state: dv(null),
      planned_state: dv({ ...base, id: unknown }),
      config: dv(base),
    });
    expect(failed.diagnostics[0].summary).toBe('Provider returned an incomplete object');
  });

  it('reports a vanished object as null state and echoes private', async () => {
    const service = await configuredService();
    const response = await callRpc(service, 'ReadResource', {
      type_name: 'test_widget',
      current_state: dv({ ...base, id: 'gone' }),
      private: Buffer.from('keep'),
    });
    expect(read(response.new_state)).toBeNull();
    expect(response.private.toString()).toBe('keep');
  });

  it('upgrades same-version state by decoding it against the current schema', async () => {
    const service = new ProviderService(providerWith([]));
    const response = await callRpc(service, 'UpgradeResourceState', {
      type_name: 'test_widget',
      version: 1,
      raw_state: { json: Buffer.from('{"name":"a","id":"w-1","dropped":1}') },
    });
    expect(response.diagnostics).toEqual([]);
    expect(read(response.upgraded_state)).toEqual({ name: 'a', region: null, ports: null, id: 'w-1', token: null, fingerprint: null, rule: null });
  });

  it('upgrades older state through the resource hook and refuses newer state', async () => {
    const service = new ProviderService(providerWith([]));
    const older = await callRpc(service, 'UpgradeResourceState', {
      type_name: 'test_widget',
      version: 0,
      raw_state: { json: Buffer.from('{"title":"old","id":"w-0"}') },
    });
    expect(read(older.upgraded_state)).toMatchObject({ name: 'old', id: 'w-0' });
    const newer = await callRpc(service, 'UpgradeResourceState', { type_name: 'test_widget', version: 7, raw_state: { json: Buffer.from('{}') } });
    expect(newer.diagnostics[0].summary).toBe('State written by a newer provider');
  });

  it('shows each upgraded state to stateLoaded once the provider is configured, and not before', async () => {
    const calls: string[] = [];
    const unconfigured = new ProviderService(providerWith(calls));
    await callRpc(unconfigured, 'UpgradeResourceState', { type_name: 'test_widget', version: 1, raw_state: { json: Buffer.from('{"id":"w-1"}') } });
    expect(calls).toEqual([]);
    const service = await configuredService(calls);
    await callRpc(service, 'UpgradeResourceState', { type_name: 'test_widget', version: 1, raw_state: { json: Buffer.from('{"name":"a","id":"w-1"}') } });
    await callRpc(service, 'UpgradeResourceState', { type_name: 'test_widget', version: 0, raw_state: { json: Buffer.from('{"title":"old","id":"w-0"}') } });
    expect(calls).toEqual(['loaded w-1', 'loaded w-0']);
  });

  it('imports an id-only state by default', async () => {
    const service = await configuredService();
    const response = await callRpc(service, 'ImportResourceState', { type_name: 'test_widget', id: 'w-9' });
    expect(read(response.imported_resources[0].state)).toMatchObject({ id: 'w-9', name: null });
  });

  it('turns exceptions into error diagnostics and unknown types into clear errors', async () => {
    const service = await configuredService();
    const echoType = types.object({ input: types.string, output: types.string });
    const ok = await callRpc(service, 'ReadDataSource', {
      type_name: 'test_echo',
      config: { msgpack: Buffer.from(encodeMsgpack(echoType, { input: 'hi', output: null })) },
    });
    expect(decodeMsgpack(echoType, ok.state.msgpack)).toEqual({ input: 'hi', output: 'HI' });
    const boom = await callRpc(service, 'ReadDataSource', {
      type_name: 'test_echo',
      config: { msgpack: Buffer.from(encodeMsgpack(echoType, { input: 'explode', output: null })) },
    });
    expect(boom.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Unexpected error in the test provider (ReadDataSource)', detail: 'kaboom' });
    const missing = await callRpc(service, 'ReadResource', { type_name: 'test_nothing', current_state: dv(null) });
    expect(missing.diagnostics[0].summary).toBe('Unknown resource type');
  });

  it('refuses resource operations before ConfigureProvider', async () => {
    const service = new ProviderService(providerWith([]));
    const response = await callRpc(service, 'ReadResource', { type_name: 'test_widget', current_state: dv({ ...base, id: 'w-1' }) });
    expect(response.diagnostics[0].summary).toBe('Provider not configured');
  });

  it('answers StopProvider with an empty Error field', async () => {
    expect(await callRpc(new ProviderService(providerWith([])), 'StopProvider', {})).toEqual({ Error: '', diagnostics: [] });
  });

  it('rejects contradictory schemas at construction', () => {
    expect(
      () =>
        new ProviderService({
          ...providerWith([]),
          resources: { test_x: { ...widget, schema: { attributes: { a: { type: types.string, required: true, computed: true } } } } },
        }),
    ).toThrow('required excludes optional and computed');
  });
});
