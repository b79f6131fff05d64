// The operator's view of a running control plane: health probes, JSON request logs that never
// carry a secret, and a shutdown that lets in-flight requests finish.
import { generateSecret } from '@managed-dev/contract';
import { defineRoute } from '../../../control-plane/src/http/route-definition';
import { ROUTES } from '../../../control-plane/src/http/route-table';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';

describe('GET /healthz and /readyz', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  test('answer without credentials, and a key that is wrong does not matter to them', async () => {
    expect(await api(cp.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api(cp.url, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect((await api(cp.url, 'GET', '/readyz', { key: 'mdk_not-a-key' })).status).toBe(200);
  });

  test('/readyz is 503 not_ready with Retry-After while a migration of this build is not applied', async () => {
    const db = cp.server.services.db;
    const last = (await db.get<{ version: number; name: string; applied_at: string }>('SELECT * FROM schema_migrations ORDER BY version DESC LIMIT 1'))!;
    await db.run('DELETE FROM schema_migrations WHERE version = ?', [last.version]);
    try {
      const response = await api(cp.url, 'GET', '/readyz');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ code: 'not_ready' });
      expect(response.body.detail).toContain(String(last.version));
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await api(cp.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [last.version, last.name, last.applied_at]);
    }
    expect((await api(cp.url, 'GET', '/readyz')).status).toBe(200);
  });
});

describe('JSON request logs', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ captureLog: true });
  });
  afterAll(() => cp.close());

  test('one line per request: request id, method, route, path, status, duration and key id', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const whoami = await owner.get('/v1/whoami');
    const minted = await owner.post('/v1/keys', { json: { name: 'logged', scopes: ['sites:read'] } });
    await owner.get(`/v1/keys/${minted.body.id}`); // the fast path logs the same way
    const lines = cp.logLines();
    const mint = lines.find((line) => line.method === 'POST' && line.route === '/v1/keys')!;
    expect(mint).toMatchObject({ level: 30, msg: 'request', path: '/v1/keys', status: 201, key_id: whoami.body.key_id });
    expect(typeof mint.req_id).toBe('string');
    expect(typeof mint.duration_ms).toBe('number');
    expect(typeof mint.time).toBe('string');
    expect(minted.headers.get('x-request-id')).toBe(mint.req_id);
    const read = lines.find((line) => line.route === '/v1/keys/{id}')!;
    expect(read).toMatchObject({ method: 'GET', status: 200, path: `/v1/keys/${minted.body.id}`, key_id: whoami.body.key_id });
    const anonymous = await api(cp.url, 'GET', '/v1/nothing-here');
    expect(cp.logLines().find((line) => line.req_id === anonymous.headers.get('x-request-id'))).toMatchObject({ status: 404, route: null, key_id: null });
  });

  test('a secret sent in a header, the path, the query string or the body never reaches the log', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const secrets = Array.from({ length: 7 }, () => generateSecret());
    const minted = await owner.post('/v1/keys', { json: { name: 'carrier', scopes: ['sites:read'] } });
    await api(cp.url, 'GET', '/v1/whoami', { key: secrets[0] });
    await api(cp.url, 'GET', `/v1/keys/${secrets[1]}`, { key: cp.ownerKey });
    await api(cp.url, 'GET', `/v1/keys?cursor=${secrets[2]}`, { key: cp.ownerKey });
    await owner.post('/v1/keys', { json: { name: secrets[3], scopes: ['sites:read'] }, headers: { 'x-api-key': secrets[4]!, 'idempotency-key': secrets[4]! } });
    // Percent-encoded, once and twice: one decode by a reader of the log must not reveal it.
    await api(cp.url, 'GET', `/v1/keys/${secrets[5]!.replace('_', '%5F')}`, { key: cp.ownerKey });
    await api(cp.url, 'GET', `/v1/keys/${secrets[6]!.replace('_', '%255F')}`, { key: cp.ownerKey });
    const text = cp.logText();
    for (const secret of [...secrets, cp.ownerKey, minted.body.secret as string]) expect(text).not.toContain(secret.slice(4));
    expect(text).not.toMatch(/mdk_[0-9A-Za-z]{8}/);
    expect(text).toContain('/v1/keys/[redacted]');
  });
});

describe('shutdown', () => {
  test('close() lets an in-flight request finish before the server stops', async () => {
    let release!: () => void;
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = defineRoute({
      method: 'get',
      path: '/v1/slow',
      scope: null,
      summary: 'test only: answers when the test says so',
      tags: ['test'],
      responses: { 200: { description: 'done' } },
      handler: async () => {
        entered();
        await gate;
        return { status: 200, body: { done: true } };
      },
    });
    const cp = await startControlPlane({ routes: [...ROUTES, slow] });
    const inFlight = fetch(`${cp.url}/v1/slow`, { headers: { authorization: `Bearer ${cp.ownerKey}` } });
    await handlerEntered;
    let closed = false;
    const closing = cp.close().then(() => (closed = true));
    // The listener is gone at once: a new connection is refused while the old request still runs.
    await expect(fetch(`${cp.url}/healthz`)).rejects.toThrow();
    expect(closed).toBe(false);
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closing;
    expect(closed).toBe(true);
  });
});
