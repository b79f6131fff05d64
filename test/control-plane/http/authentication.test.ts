import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';
import { generateSecret } from '@managed-dev/contract';

describe('bearer authentication (docs/guides/api.md#authorization-one-decision)', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  test('no credentials: 401 problem with WWW-Authenticate: Bearer realm="managed"', async () => {
    for (const headers of [{}, { authorization: '' }, { authorization: '   ' }] as Array<Record<string, string>>) {
      const response = await api(cp.url, 'GET', '/v1/whoami', { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="managed"');
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, instance: '/v1/whoami' });
    }
  });

  const valid = generateSecret();
  const badChecksum = valid.slice(0, -1) + (valid.endsWith('a') ? 'b' : 'a');
  test.each([
    ['a Basic header', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'Bearer'],
    ['a token with a wrong prefix', `Bearer ghp_${valid.slice(4)}`],
    ['a truncated token', `Bearer ${valid.slice(0, 30)}`],
    ['a token failing its checksum', `Bearer ${badChecksum}`],
    ['an unknown well-formed token', `Bearer ${valid}`],
    ['two tokens', `Bearer ${valid} ${valid}`],
    ['a 10 kB token', `Bearer ${'x'.repeat(10_000)}`],
  ])('%s: 401 invalid_token', async (_label, authorization) => {
    const response = await api(cp.url, 'GET', '/v1/whoami', { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_token');
    expect(response.body.type).toBe('https://managed.dev/problems/invalid_token');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="managed", error="invalid_token"');
  });

  test('the scheme is case-insensitive', async () => {
    const response = await api(cp.url, 'GET', '/v1/whoami', { headers: { authorization: `bearer ${cp.ownerKey}` } });
    expect(response.status).toBe(200);
  });

  test('whoami describes principal, role, key, scopes, effective scopes and constraint (constrained keys: see the resource-tree tests)', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = (await owner.post('/v1/keys', { json: { name: 'who', preset: 'observability', scopes: ['teams:read'] } })).body;
    const whoami = await apiClient(cp.url, key.secret).get('/v1/whoami');
    expect(whoami.status).toBe(200);
    expect(whoami.body).toEqual({
      account_id: cp.accountId,
      principal: { id: cp.ownerPrincipalId, name: 'owner', kind: 'user', role: 'owner' },
      role: 'owner',
      key_id: key.id,
      key_name: 'who',
      preset: 'observability',
      scopes: ['teams:read'],
      effective_scopes: ['deploys:read', 'logs:read', 'metrics:read', 'sites:read', 'teams:read'],
      constraint: null,
      ip_allowlist: [],
      status: 'active',
      expires_at: key.expires_at,
    });
  });

  test('whoami shows a change to its key at once, though it answers from what authentication cached', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = (await owner.post('/v1/keys', { json: { name: 'before', scopes: ['teams:read'] } })).body;
    const caller = apiClient(cp.url, key.secret);
    expect((await caller.get('/v1/whoami')).body).toMatchObject({ key_name: 'before', scopes: ['teams:read'] });
    expect((await owner.patch(`/v1/keys/${key.id}`, { json: { name: 'after', scopes: ['sites:read'], ip_allowlist: ['127.0.0.0/8'] } })).status).toBe(200);
    expect((await caller.get('/v1/whoami')).body).toMatchObject({
      key_name: 'after',
      scopes: ['sites:read'],
      effective_scopes: ['sites:read'],
      ip_allowlist: ['127.0.0.0/8'],
    });
  });

  test('a key whose principal was removed gets 401 invalid_token', async () => {
    const other = await cp.server.services.keyService.createAccountWithOwner('removed-owner', new Date());
    expect((await apiClient(cp.url, other.secret).get('/v1/whoami')).status).toBe(200);
    await cp.queryOutside('UPDATE principals SET deleted_at = ? WHERE id = ?', [Date.now(), other.principalId]);
    const response = await apiClient(cp.url, other.secret).get('/v1/whoami');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_token');
  });

  test('keys of another account are the one 404, exactly like a missing key', async () => {
    const other = await cp.server.services.keyService.createAccountWithOwner('neighbour', new Date());
    const theirs = apiClient(cp.url, other.secret);
    const mine = (await apiClient(cp.url, cp.ownerKey).post('/v1/keys', { json: { name: 'mine', scopes: ['sites:read'] } })).body;
    const hidden = await theirs.get(`/v1/keys/${mine.id}`);
    const missing = await theirs.get('/v1/keys/key_missing00000000000000');
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ ...missing.body, instance: `/v1/keys/${mine.id}` });
    expect([...hidden.headers.keys()].sort()).toEqual([...missing.headers.keys()].sort());
    for (const [method, path] of [
      ['DELETE', `/v1/keys/${mine.id}`],
      ['PATCH', `/v1/keys/${mine.id}`],
      ['POST', `/v1/keys/${mine.id}/rotate`],
    ]) {
      const response = await api(cp.url, method!, path!, { key: other.secret, json: method === 'PATCH' ? { name: 'x' } : {} });
      expect(response.status).toBe(404);
    }
    expect((await theirs.get('/v1/keys')).body.items.map((k: { id: string }) => k.id)).toEqual([other.keyId]);
    expect((await apiClient(cp.url, cp.ownerKey).get(`/v1/keys/${mine.id}`)).body.status).toBe('active');
  });

  test('the scope catalog and presets are public', async () => {
    const scopes = await api(cp.url, 'GET', '/v1/scopes');
    expect(scopes.status).toBe(200);
    expect(scopes.body.scopes).toHaveLength(27);
    expect(scopes.body.scopes).toContainEqual({ name: 'exec:raw', description: expect.any(String), dangerous: true });
    expect(scopes.body.scopes).toContainEqual({ name: 'sites:read', description: expect.any(String), dangerous: false });
    const presets = await api(cp.url, 'GET', '/v1/presets');
    expect(presets.status).toBe(200);
    expect(presets.body.presets['deploy-bot']).toEqual({
      description: expect.any(String),
      scopes: ['deploys:read', 'deploys:write', 'logs:read', 'sites:read'],
    });
    expect(Object.keys(presets.body.presets).sort()).toEqual(['ci-terraform', 'deploy-bot', 'observability', 'read-only', 'wp-automation']);
  });
});
