/**
 * getKey calls that arrive together share one GET /v1/keys?id=… request, against a real control
 * plane (and a fault proxy in front of it where the server must misbehave).
 */
import { newId } from '@managed-dev/contract';
import { ManagedApiClient } from '../../../../provider/src/managed/client/api-client';
import { KeyReadBatcher, PREFETCH_LIFETIME_MS } from '../../../../provider/src/managed/client/key-read-batcher';
import { ApiError, ApiUnreachableError } from '../../../../provider/src/managed/client/problem';
import { startControlPlane, type TestControlPlane } from '../../../support/control-plane';
import { keyReadIds, startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../../../support/fault-proxy';
import { apiClient } from '../../../support/http';
import { mintKey } from '../../../support/resource-tree';

describe('batched key reads', () => {
  let cp: TestControlPlane;
  let proxy: FaultProxy | undefined;
  let keyIds: string[];

  beforeAll(async () => {
    cp = await startControlPlane();
    const owner = apiClient(cp.url, cp.ownerKey);
    keyIds = [];
    for (let index = 0; index < 5; index++) keyIds.push((await mintKey(owner, { name: `batch-${index}`, scopes: ['sites:read'] })).id);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(() => cp.close());

  function client(url: string, token = cp.ownerKey, keyReads?: KeyReadBatcher): ManagedApiClient {
    return new ManagedApiClient({ endpoint: url, token, backoff: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 }, keyReads });
  }

  async function proxied(decide: (request: ProxiedRequest) => Fault, keyReads?: KeyReadBatcher): Promise<ManagedApiClient> {
    proxy = await startFaultProxy(cp.url, decide);
    return client(proxy.url, cp.ownerKey, keyReads);
  }

  const requestedIds = (): string[][] => keyReadIds(proxy!.log);

  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  test('reads issued together go as one request; a missing id resolves to null, the others to their records', async () => {
    const api = await proxied(() => 'pass');
    const missing = newId('key');
    // Each read through its own derived client, as each Terraform operation gets one.
    const signal = new AbortController().signal;
    const records = await Promise.all([...keyIds, missing, keyIds[0]!].map((id) => api.withSignal(signal).getKey(id)));
    expect(records.map((record) => record?.id ?? null)).toEqual([...keyIds, null, keyIds[0]]);
    expect(records[0]).toEqual((await apiClient(cp.url, cp.ownerKey).get(`/v1/keys/${keyIds[0]}`)).body);
    expect(proxy!.log.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/keys']);
    expect(new URLSearchParams(proxy!.log[0]!.query).getAll('id')).toEqual([...keyIds, missing]);
    expect(api.keyReads.sent).toEqual({ batched: 1, single: 0 });
  });

  test('a lone read is a plain GET /v1/keys/{id}; reads arriving while a batch is in flight form the next batch', async () => {
    const api = await proxied(() => 'pass');
    expect((await api.getKey(keyIds[1]!))?.id).toBe(keyIds[1]);
    expect(proxy!.log.map((request) => request.path)).toEqual([`/v1/keys/${keyIds[1]}`]);
    // The batcher settles its bookkeeping just after answering; let it go idle.
    await new Promise((resolve) => setImmediate(resolve));

    const first = api.getKey(keyIds[0]!);
    // Issued after the first read was sent (next turn of the event loop), before it was answered.
    await new Promise((resolve) => setImmediate(resolve));
    const later = keyIds.slice(1).map((id) => api.getKey(id));
    const records = await Promise.all([first, ...later]);
    expect(records.map((record) => record?.id)).toEqual(keyIds);
    expect(proxy!.log.slice(1).map((request) => new URLSearchParams(request.query).getAll('id').length || request.path)).toEqual([`/v1/keys/${keyIds[0]}`, 4]);
  });

  test('when the server fails a batch, each id is read alone, so an error for one id fails only that read', async () => {
    const broken = keyIds[2]!;
    // The batch answers 503 (retried, then given up); the lone read of `broken` keeps failing.
    const api = await proxied((request) => (request.path === '/v1/keys' || request.path === `/v1/keys/${broken}` ? 'refuse' : 'pass'));
    const results = await Promise.allSettled(keyIds.map((id) => api.getKey(id)));
    for (const [index, result] of results.entries()) {
      if (keyIds[index] === broken) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ApiError);
        expect(((result as PromiseRejectedResult).reason as ApiError).path).toBe(`/v1/keys/${broken}`);
      } else {
        expect(result).toMatchObject({ status: 'fulfilled', value: { id: keyIds[index] } });
      }
    }
    expect(api.keyReads.sent).toEqual({ batched: 1, single: keyIds.length });
  });

  test('a refused token fails the whole batch at once, without a request per id', async () => {
    const stranger = (await mintKey(apiClient(cp.url, cp.ownerKey), { name: 'stranger', scopes: ['sites:read'] })).secret;
    proxy = await startFaultProxy(cp.url, () => 'pass');
    const api = client(proxy.url, stranger);
    const results = await Promise.allSettled(keyIds.map((id) => api.getKey(id)));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(((result as PromiseRejectedResult).reason as ApiError).status).toBe(403);
    }
    expect(proxy.log).toHaveLength(1);
  });

  test('an unreachable server fails every read of the batch', async () => {
    proxy = await startFaultProxy(cp.url, () => 'pass');
    const url = proxy.url;
    await proxy.close();
    proxy = undefined;
    const api = client(url);
    const results = await Promise.allSettled(keyIds.map((id) => api.getKey(id)));
    for (const result of results) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ApiUnreachableError);
  });

  test('an id of another shape (as an import may leave) is read alone, beside the batch', async () => {
    const api = await proxied(() => 'pass');
    const odd = 'key_with-dash';
    const records = await Promise.all([keyIds[0]!, odd, keyIds[1]!].map((id) => api.getKey(id)));
    expect(records.map((record) => record?.id ?? null)).toEqual([keyIds[0], null, keyIds[1]]);
    expect(api.keyReads.sent).toEqual({ batched: 1, single: 1 });
  });

  test('announced ids ride along with the next read, and their own reads are answered without a request', async () => {
    const api = await proxied(() => 'pass');
    const missing = newId('key');
    for (const id of [keyIds[2]!, keyIds[3]!, missing]) api.expectKeyRead(id);
    // Announcing sends nothing by itself.
    await nextTurn();
    expect(proxy!.log).toHaveLength(0);

    expect((await api.getKey(keyIds[0]!))?.id).toBe(keyIds[0]);
    expect(requestedIds()).toEqual([[keyIds[0], keyIds[2], keyIds[3], missing]]);
    const ahead = await Promise.all([keyIds[2]!, keyIds[3]!, missing].map((id) => api.getKey(id)));
    expect(ahead.map((record) => record?.id ?? null)).toEqual([keyIds[2], keyIds[3], null]);
    expect(ahead[0]).toEqual((await apiClient(cp.url, cp.ownerKey).get(`/v1/keys/${keyIds[2]}`)).body);
    expect(proxy!.log).toHaveLength(1);
    expect(api.keyReads.answeredAhead).toBe(3);
    // An answer fetched ahead is used once: the next read of the same key asks the server.
    await api.getKey(keyIds[2]!);
    expect(requestedIds()).toEqual([[keyIds[0], keyIds[2], keyIds[3], missing], [keyIds[2]]]);
  });

  test('a read of a rider that arrives while its batch is in flight waits for that batch instead of asking again', async () => {
    // The first request (the batch) is held back a second.
    let held = false;
    const api = await proxied(() => {
      if (held) return 'pass';
      held = true;
      return 'slow';
    });
    api.expectKeyRead(keyIds[1]!);
    const first = api.getKey(keyIds[0]!);
    await nextTurn();
    const rider = api.getKey(keyIds[1]!);
    expect((await Promise.all([first, rider])).map((record) => record?.id)).toEqual([keyIds[0], keyIds[1]]);
    expect(requestedIds()).toEqual([[keyIds[0], keyIds[1]]]);
  });

  test('an answer fetched ahead is not used after this process changed the key, nor after its lifetime', async () => {
    let clock = 0;
    const api = await proxied(() => 'pass', new KeyReadBatcher(() => clock));
    const owner = apiClient(cp.url, cp.ownerKey);
    const renamed = (await mintKey(owner, { name: 'to-rename', scopes: ['sites:read'] })).id;

    // Changed by this process after the batch fetched it: the read asks again and sees the change.
    api.expectKeyRead(renamed);
    await api.getKey(keyIds[0]!);
    await api.updateKey(renamed, { name: 'renamed' });
    expect((await api.getKey(renamed))?.name).toBe('renamed');
    expect(requestedIds().filter((ids) => ids.includes(renamed))).toEqual([[keyIds[0], renamed], [renamed]]);

    // Changed while the batch fetching it was in flight: its answer may predate the change.
    api.expectKeyRead(renamed);
    const inFlight = api.getKey(keyIds[0]!);
    await nextTurn();
    api.keyReads.forget(renamed);
    await inFlight;
    const before = proxy!.log.length;
    await api.getKey(renamed);
    expect(proxy!.log.length).toBe(before + 1);

    // Read later than PREFETCH_LIFETIME_MS after the batch was sent: not the refresh Terraform asked for.
    api.expectKeyRead(keyIds[4]!);
    await api.getKey(keyIds[0]!);
    clock += PREFETCH_LIFETIME_MS + 1;
    const stale = proxy!.log.length;
    expect((await api.getKey(keyIds[4]!))?.id).toBe(keyIds[4]);
    expect(proxy!.log.length).toBe(stale + 1);
    expect(api.keyReads.answeredAhead).toBe(0);
  });

  test('an announcement older than PREFETCH_LIFETIME_MS rides with nothing: a walk without reads leaves no riders behind', async () => {
    let clock = 0;
    const api = await proxied(() => 'pass', new KeyReadBatcher(() => clock));
    api.expectKeyRead(keyIds[3]!);
    clock += PREFETCH_LIFETIME_MS + 1;
    expect((await api.getKey(keyIds[0]!))?.id).toBe(keyIds[0]);
    expect(requestedIds()).toEqual([[keyIds[0]]]);
  });

  test('a read that arrives while this process is changing the key is not answered from before the change', async () => {
    const api = await proxied(() => 'pass');
    const renamed = (await mintKey(apiClient(cp.url, cp.ownerKey), { name: 'renamed-in-flight', scopes: ['sites:read'] })).id;
    api.expectKeyRead(renamed);
    await api.getKey(keyIds[0]!);
    const writing = api.updateKey(renamed, { name: 'renamed-now' });
    const reading = api.getKey(renamed);
    await writing;
    await reading;
    expect(api.keyReads.answeredAhead).toBe(0);
    expect(requestedIds()).toEqual([[keyIds[0], renamed], [renamed]]);
  });

  test('when a batch carrying riders fails, the riders (also one already waiting for it) are read on their own', async () => {
    let batches = 0;
    const api = await proxied((request) => {
      if (request.path !== '/v1/keys') return 'pass';
      batches++;
      return 'refuse';
    });
    api.expectKeyRead(keyIds[1]!);
    api.expectKeyRead(keyIds[2]!);
    const first = api.getKey(keyIds[0]!);
    await nextTurn();
    const waiting = api.getKey(keyIds[1]!);
    const records = await Promise.all([first, waiting, api.getKey(keyIds[2]!)]);
    expect(records.map((record) => record?.id)).toEqual(keyIds.slice(0, 3));
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(requestedIds().filter((ids) => ids.length === 1)).toEqual(expect.arrayContaining([[keyIds[0]], [keyIds[1]], [keyIds[2]]]));
    expect(api.keyReads.answeredAhead).toBe(0);
  });

  test('riders of a failed batch read on their own; a refused token reaches them too', async () => {
    const stranger = (await mintKey(apiClient(cp.url, cp.ownerKey), { name: 'stranger-rider', scopes: ['sites:read'] })).secret;
    proxy = await startFaultProxy(cp.url, () => 'pass');
    const api = client(proxy.url, stranger);
    api.expectKeyRead(keyIds[1]!);
    await expect(api.getKey(keyIds[0]!)).rejects.toMatchObject({ status: 403 });
    await expect(api.getKey(keyIds[1]!)).rejects.toMatchObject({ status: 403 });
    expect(requestedIds()).toEqual([[keyIds[0], keyIds[1]], [keyIds[1]]]);
  });
});
