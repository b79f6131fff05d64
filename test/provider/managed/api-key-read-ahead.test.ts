/**
 * The managed provider in process (ProviderService, as the gRPC server drives it) against a real
 * control plane behind a recording proxy: UpgradeResourceState announces each key, so the first
 * ReadResource's request carries the announced keys too and their ReadResource calls need none.
 */
import { decodeMsgpack, encodeMsgpack, impliedType, type ObjectValue } from '../../../provider/src/framework';
import { ProviderService } from '../../../provider/src/framework/rpc/provider-service';
import { createManagedProvider } from '../../../provider/src/managed/provider';
import { callRpc } from '../framework/rpc/call-rpc';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { keyReadIds, startFaultProxy, type FaultProxy } from '../../support/fault-proxy';
import { apiClient } from '../../support/http';
import { mintKey } from '../../support/resource-tree';

let cp: TestControlPlane;
let proxy: FaultProxy;
let keyIds: string[];

beforeAll(async () => {
  cp = await startControlPlane();
  const owner = apiClient(cp.url, cp.ownerKey);
  keyIds = [];
  for (let index = 0; index < 3; index++) keyIds.push((await mintKey(owner, { name: `ahead-${index}`, scopes: ['sites:read'] })).id);
  proxy = await startFaultProxy(cp.url, () => 'pass');
});
afterAll(async () => {
  await proxy?.close();
  await cp?.close();
});

async function configuredService(): Promise<ProviderService<unknown>> {
  const definition = createManagedProvider({ MANAGED_ENDPOINT: proxy.url, MANAGED_TOKEN: cp.ownerKey });
  const service = new ProviderService(definition) as ProviderService<unknown>;
  const config: ObjectValue = Object.fromEntries(Object.keys(definition.schema.attributes).map((name) => [name, null]));
  const configured = await callRpc(service, 'ConfigureProvider', {
    terraform_version: '1.11.4',
    config: { msgpack: Buffer.from(encodeMsgpack(impliedType(definition.schema), config)) },
  });
  expect(configured.diagnostics).toEqual([]);
  return service;
}

/** UpgradeResourceState of a stored managed_api_key state holding only its id and name. */
async function upgrade(service: ProviderService<unknown>, id: string): Promise<unknown> {
  const response = await callRpc(service, 'UpgradeResourceState', {
    type_name: 'managed_api_key',
    version: 0,
    raw_state: { json: Buffer.from(JSON.stringify({ id, name: 'stored' })) },
  });
  expect(response.diagnostics).toEqual([]);
  return response.upgraded_state;
}

const keyReads = (): string[][] => keyReadIds(proxy.log);

test('a refresh after UpgradeResourceState reads the announced keys in the first request and answers the rest without one', async () => {
  const service = await configuredService();
  const states = [];
  for (const id of keyIds) states.push(await upgrade(service, id));
  // Announcing sends nothing.
  expect(keyReads()).toEqual([]);
  const refreshed = [];
  for (const state of states) refreshed.push(await callRpc(service, 'ReadResource', { type_name: 'managed_api_key', current_state: state }));
  for (const response of refreshed) expect(response.diagnostics).toEqual([]);
  expect(keyReads()).toEqual([keyIds]);
  // Each state came back from the server's record (the stored name was "stored").
  const type = impliedType(createManagedProvider({}).resources!.managed_api_key!.schema);
  expect(refreshed.map((response) => (decodeMsgpack(type, response.new_state.msgpack) as ObjectValue).name)).toEqual(['ahead-0', 'ahead-1', 'ahead-2']);
});
