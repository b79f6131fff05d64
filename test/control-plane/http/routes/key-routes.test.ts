import { startControlPlane, TestControlPlane } from '../../../support/control-plane';
import { apiClient } from '../../../support/http';
import { DAY, HOUR, ManualClock, MINUTE } from '../../../support/manual-clock';
import { checkSecret } from '@managed-dev/contract';

describe('key lifecycle over HTTP', () => {
  let clock: ManualClock;
  let cp: TestControlPlane;
  let owner: ReturnType<typeof apiClient>;

  beforeEach(async () => {
    clock = new ManualClock('2030-01-01T00:00:00.000Z');
    cp = await startControlPlane({ clock });
    owner = apiClient(cp.url, cp.ownerKey);
  });
  afterEach(() => cp.close());

  async function mint(body: Record<string, unknown>) {
    const response = await owner.post('/v1/keys', { json: body });
    expect(response.status).toBe(201);
    return response.body;
  }

  test('create returns the key record of docs/guides/api.md plus a well-formed secret, and GET returns the record without it', async () => {
    const created = await mint({ name: 'ci-deploy', preset: 'deploy-bot', ip_allowlist: ['203.0.113.0/24'] });
    expect(Object.keys(created).sort()).toEqual(
      [
        'constraint',
        'created_at',
        'created_by',
        'description',
        'effective_scopes',
        'expires_at',
        'id',
        'ip_allowlist',
        'last_used_at',
        'last_used_ip',
        'name',
        'preset',
        'principal_id',
        'revoked_at',
        'scopes',
        'secret',
        'status',
        'ttl',
        'ephemeral',
      ].sort(),
    );
    expect(created.id).toMatch(/^key_[0-9A-Za-z]+$/);
    expect(checkSecret(created.secret)).toEqual({ ok: true });
    expect(created).toMatchObject({
      name: 'ci-deploy',
      description: null,
      preset: 'deploy-bot',
      scopes: [],
      effective_scopes: ['deploys:read', 'deploys:write', 'logs:read', 'sites:read'],
      constraint: null,
      ip_allowlist: ['203.0.113.0/24'],
      status: 'active',
      principal_id: cp.ownerPrincipalId,
      created_by: cp.ownerPrincipalId,
      created_at: '2030-01-01T00:00:00.000Z',
      revoked_at: null,
      last_used_at: null,
      last_used_ip: null,
      ttl: '90d',
      ephemeral: false,
    });
    const { secret, ...record } = created;
    const read = await owner.get(`/v1/keys/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(record);
    expect(read.text).not.toContain(secret);
    expect(read.headers.get('location')).toBeNull();
  });

  test('the default TTL is 90 days, fixed at mint time', async () => {
    const created = await mint({ name: 'default-ttl', scopes: ['sites:read'] });
    expect(created.expires_at).toBe(new Date(Date.parse('2030-01-01T00:00:00Z') + 90 * DAY).toISOString());
  });

  test.each(['0', '59m', '366d', 'ten days'])('TTL %p is refused with 400 naming ttl', async (ttl) => {
    const response = await owner.post('/v1/keys', { json: { name: 'bad-ttl', scopes: ['sites:read'], ttl } });
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/ttl' })]));
    expect(response.body.detail).toContain('ttl');
  });

  test.each([
    ['1h', HOUR],
    ['365d', 365 * DAY],
    ['720h', 720 * HOUR],
  ])('TTL %p is accepted and sets expires_at', async (ttl, ms) => {
    const created = await mint({ name: `ttl-${ttl}`, scopes: ['sites:read'], ttl });
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(ms);
  });

  test('an unknown scope is refused naming it and suggesting the nearest', async () => {
    const response = await owner.post('/v1/keys', { json: { name: 'typo', scopes: ['sites:read', 'deploys:read', 'sites:wrte'] } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ pointer: '/scopes/2', suggestion: 'sites:write', detail: expect.stringContaining('sites:wrte') }),
    ]);
    expect(response.body.detail).toContain('did you mean "sites:write"');
  });

  test('"*:*" grants no dangerous scope; dangerous scopes are granted when named or by their family pattern', async () => {
    const wildcard = await mint({ name: 'wild', scopes: ['*:*'] });
    expect(wildcard.effective_scopes).not.toEqual(expect.arrayContaining(['keys:write']));
    for (const dangerous of ['keys:write', 'credentials:read', 'credentials:write', 'exec:raw']) {
      expect(wildcard.effective_scopes).not.toContain(dangerous);
    }
    expect(wildcard.effective_scopes).toHaveLength(23);
    const named = await mint({ name: 'named', scopes: ['exec:raw', 'credentials:*', 'keys:write'] });
    expect(named.effective_scopes).toEqual(['credentials:read', 'credentials:write', 'exec:raw', 'keys:write']);
  });

  test('a wildcard matching only dangerous scopes is refused', async () => {
    const response = await owner.post('/v1/keys', { json: { name: 'exec-wild', scopes: ['*:raw'] } });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ pointer: '/scopes/0' });
    expect(response.body.errors[0].detail).toContain('only dangerous');
  });

  test.each([
    [
      'read-only',
      [
        'account:read',
        'audit:read',
        'backups:read',
        'deploys:read',
        'domains:read',
        'env:read',
        'keys:read',
        'logs:read',
        'members:read',
        'metrics:read',
        'projects:read',
        'sites:read',
        'teams:read',
        'wp:read',
      ],
    ],
    ['deploy-bot', ['deploys:read', 'deploys:write', 'logs:read', 'sites:read']],
    [
      'ci-terraform',
      [
        'deploys:read',
        'deploys:write',
        'domains:read',
        'domains:write',
        'env:read',
        'env:write',
        'keys:read',
        'projects:read',
        'projects:write',
        'sites:read',
        'sites:write',
        'teams:read',
      ],
    ],
    ['observability', ['deploys:read', 'logs:read', 'metrics:read', 'sites:read']],
    ['wp-automation', ['backups:read', 'backups:write', 'sites:read', 'wp:read', 'wp:write']],
  ])('preset %s expands as docs/guides/scopes.md lists', async (preset, expected) => {
    const created = await mint({ name: preset, preset });
    expect(created.effective_scopes).toEqual(expected);
    expect(created.preset).toBe(preset);
    expect(created.scopes).toEqual([]);
  });

  test('an unknown preset is refused with a suggestion; a key must grant something', async () => {
    const typo = await owner.post('/v1/keys', { json: { name: 'p', preset: 'deploy-bto' } });
    expect(typo.status).toBe(400);
    expect(typo.body.errors[0]).toMatchObject({ pointer: '/preset' });
    expect(typo.body.errors[0].detail).toContain('did you mean "deploy-bot"');
    const nothing = await owner.post('/v1/keys', { json: { name: 'empty', scopes: [] } });
    expect(nothing.status).toBe(400);
    expect(nothing.body.errors[0]).toMatchObject({ pointer: '/scopes' });
  });

  test('scopes are stored sorted and de-duplicated, exactly as given otherwise (patterns stay patterns)', async () => {
    const created = await mint({ name: 'sorted', scopes: ['sites:write', 'sites:*', 'deploys:read', 'sites:write'] });
    expect(created.scopes).toEqual(['deploys:read', 'sites:*', 'sites:write']);
    expect(created.effective_scopes).toEqual(['deploys:read', 'sites:read', 'sites:write']);
  });

  test('a non-canonical CIDR is refused with the canonical form as suggestion', async () => {
    const response = await owner.post('/v1/keys', { json: { name: 'cidr', scopes: ['sites:read'], ip_allowlist: ['10.0.0.0/8', '10.1.2.3/8'] } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ pointer: '/ip_allowlist/1', suggestion: '10.0.0.0/8' })]);
  });

  test('PATCH of ttl or constraint is refused with 400; PATCH of scopes is stored sorted and de-duplicated', async () => {
    const created = await mint({ name: 'patch-me', scopes: ['sites:read'] });
    for (const body of [{ ttl: '1h' }, { constraint: { team_id: 'team_x' } }, { constraint: null }, { name: 'renamed', ttl: '30d' }]) {
      const response = await owner.patch(`/v1/keys/${created.id}`, { json: body });
      expect(response.status).toBe(400);
      const field = 'ttl' in body ? '/ttl' : '/constraint';
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: field })]));
    }
    const unchanged = await owner.get(`/v1/keys/${created.id}`);
    expect(unchanged.body.name).toBe('patch-me');

    const patched = await owner.patch(`/v1/keys/${created.id}`, {
      json: { scopes: ['sites:write', 'deploys:read', 'sites:write', 'deploys:read'], name: 'patched', description: 'now with deploys' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'patched', description: 'now with deploys', scopes: ['deploys:read', 'sites:write'] });
    expect((await owner.get(`/v1/keys/${created.id}`)).body.scopes).toEqual(['deploys:read', 'sites:write']);
    expect(patched.body.expires_at).toBe(created.expires_at);
  });

  test('PATCH can switch between preset and scopes but never leave a key granting nothing', async () => {
    const created = await mint({ name: 'preset-key', preset: 'observability' });
    const emptied = await owner.patch(`/v1/keys/${created.id}`, { json: { preset: null } });
    expect(emptied.status).toBe(400);
    const switched = await owner.patch(`/v1/keys/${created.id}`, { json: { preset: null, scopes: ['logs:read'] } });
    expect(switched.status).toBe(200);
    expect(switched.body).toMatchObject({ preset: null, scopes: ['logs:read'], effective_scopes: ['logs:read'] });
  });

  test('keys:read and keys:write are required on the key endpoints (403 insufficient_scope with WWW-Authenticate)', async () => {
    const reader = apiClient(cp.url, (await mint({ name: 'reader', scopes: ['keys:read'] })).secret);
    const observer = apiClient(cp.url, (await mint({ name: 'observer', preset: 'observability' })).secret);
    const target = await mint({ name: 'target', scopes: ['sites:read'] });

    expect((await reader.get('/v1/keys')).status).toBe(200);
    expect((await reader.get(`/v1/keys/${target.id}`)).status).toBe(200);
    const denied = await reader.post('/v1/keys', { json: { name: 'x', scopes: ['sites:read'] } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('insufficient_scope');
    expect(denied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="keys:write"');
    for (const [method, path] of [
      ['patch', `/v1/keys/${target.id}`],
      ['delete', `/v1/keys/${target.id}`],
      ['post', `/v1/keys/${target.id}/rotate`],
      ['post', `/v1/keys/${target.id}/renew`],
    ] as const) {
      const response = await reader[method](path, method === 'patch' ? { json: { name: 'y' } } : {});
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="keys:write"');
    }
    const listDenied = await observer.get('/v1/keys');
    expect(listDenied.status).toBe(403);
    expect(listDenied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="keys:read"');
  });

  test('minting beyond what the minting key holds is refused with 403 listing each offending scope', async () => {
    const minter = apiClient(cp.url, (await mint({ name: 'minter', scopes: ['keys:write', 'sites:read', 'keys:read'] })).secret);
    const response = await minter.post('/v1/keys', { json: { name: 'too-much', scopes: ['sites:read', 'sites:write', 'exec:raw'], preset: 'observability' } });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('scope_escalation');
    expect(response.body.offending_scopes).toEqual(['deploys:read', 'exec:raw', 'logs:read', 'metrics:read', 'sites:write']);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/scopes/1' }),
        expect.objectContaining({ pointer: '/scopes/2' }),
        expect.objectContaining({ pointer: '/preset' }),
      ]),
    );
    const listed = await owner.get('/v1/keys?name=too-much');
    expect(listed.body.items).toEqual([]);
    const fine = await minter.post('/v1/keys', { json: { name: 'narrow', scopes: ['sites:read'] } });
    expect(fine.status).toBe(201);
  });

  test('revoke twice: both succeed, the revoked key gets 401 invalid_token, its record still reads revoked', async () => {
    const created = await mint({ name: 'to-revoke', scopes: ['keys:read'] });
    const user = apiClient(cp.url, created.secret);
    expect((await user.get('/v1/whoami')).status).toBe(200);

    const first = await owner.delete(`/v1/keys/${created.id}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: created.id, status: 'revoked', revoked_at: '2030-01-01T00:00:00.000Z' });
    clock.advance(MINUTE);
    const second = await owner.delete(`/v1/keys/${created.id}`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'revoked', revoked_at: '2030-01-01T00:00:00.000Z' });

    const rejected = await user.get('/v1/whoami');
    expect(rejected.status).toBe(401);
    expect(rejected.body.code).toBe('invalid_token');
    expect(rejected.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const record = await owner.get(`/v1/keys/${created.id}`);
    expect(record.status).toBe(200);
    expect(record.body.status).toBe('revoked');
    expect(record.body).not.toHaveProperty('secret');
  });

  test('an expired key gets 401 and its record reads expired', async () => {
    const created = await mint({ name: 'short', scopes: ['keys:read'], ttl: '1h' });
    const user = apiClient(cp.url, created.secret);
    clock.advance(HOUR - 1);
    expect((await user.get('/v1/whoami')).status).toBe(200);
    clock.advance(1);
    const rejected = await user.get('/v1/whoami');
    expect(rejected.status).toBe(401);
    expect(rejected.body.code).toBe('invalid_token');
    expect((await owner.get(`/v1/keys/${created.id}`)).body.status).toBe('expired');
  });

  test('rotate with a grace period: both secrets work until it ends, then the old one gets 401; expires_at becomes now + ttl', async () => {
    const created = await mint({ name: 'rotating', scopes: ['keys:read'], ttl: '30d' });
    clock.advance(10 * DAY);
    const rotated = await owner.post(`/v1/keys/${created.id}/rotate`, { json: { grace_period: '24h' } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(created.id);
    expect(rotated.body.scopes).toEqual(created.scopes);
    expect(rotated.body.created_at).toBe(created.created_at);
    expect(rotated.body.expires_at).toBe(new Date(clock.now().getTime() + 30 * DAY).toISOString());
    expect(checkSecret(rotated.body.secret).ok).toBe(true);
    expect(rotated.body.secret).not.toBe(created.secret);

    const oldClient = apiClient(cp.url, created.secret);
    const newClient = apiClient(cp.url, rotated.body.secret);
    clock.advance(24 * HOUR - 1);
    expect((await oldClient.get('/v1/whoami')).body.key_id).toBe(created.id);
    expect((await newClient.get('/v1/whoami')).body.key_id).toBe(created.id);
    clock.advance(1);
    const old = await oldClient.get('/v1/whoami');
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('invalid_token');
    expect((await newClient.get('/v1/whoami')).status).toBe(200);
  });

  test('rotate without a body (grace 0) retires the old secret at once; grace over 7 days is refused', async () => {
    const created = await mint({ name: 'rotate-now', scopes: ['keys:read'] });
    const tooLong = await owner.post(`/v1/keys/${created.id}/rotate`, { json: { grace_period: '8d' } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0]).toMatchObject({ pointer: '/grace_period' });
    const rotated = await owner.post(`/v1/keys/${created.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect((await apiClient(cp.url, created.secret).get('/v1/whoami')).status).toBe(401);
    expect((await apiClient(cp.url, rotated.body.secret).get('/v1/whoami')).status).toBe(200);
  });

  test('rotating twice within a grace period keeps every unexpired secret until its own grace ends', async () => {
    const created = await mint({ name: 'double', scopes: ['keys:read'] });
    const second = await owner.post(`/v1/keys/${created.id}/rotate`, { json: { grace_period: '2h' } });
    clock.advance(HOUR);
    const third = await owner.post(`/v1/keys/${created.id}/rotate`, { json: { grace_period: '30m' } });
    // The first secret had 1h left; the second rotation cuts every old secret to 30 minutes.
    for (const secret of [created.secret, second.body.secret, third.body.secret]) {
      expect((await apiClient(cp.url, secret).get('/v1/whoami')).status).toBe(200);
    }
    clock.advance(30 * MINUTE);
    expect((await apiClient(cp.url, created.secret).get('/v1/whoami')).status).toBe(401);
    expect((await apiClient(cp.url, second.body.secret).get('/v1/whoami')).status).toBe(401);
    expect((await apiClient(cp.url, third.body.secret).get('/v1/whoami')).status).toBe(200);
  });

  test('a revoked key cannot be rotated (409) and unknown ids are the one 404', async () => {
    const created = await mint({ name: 'dead', scopes: ['keys:read'] });
    await owner.delete(`/v1/keys/${created.id}`);
    const rotate = await owner.post(`/v1/keys/${created.id}/rotate`);
    expect(rotate.status).toBe(409);
    expect(rotate.body.code).toBe('key_not_active');
    const missing = await owner.get('/v1/keys/key_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      type: 'https://managed.dev/problems/not_found',
      title: 'Not found',
      status: 404,
      detail: 'The requested resource does not exist.',
      instance: '/v1/keys/key_doesnotexist',
      code: 'not_found',
    });
  });

  test('list pages with a cursor and filters by name and status', async () => {
    const ids: string[] = [cp.server.bootstrap.ownerKeyId];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      ids.push((await mint({ name: i % 2 === 0 ? 'even' : 'odd', scopes: ['sites:read'], ttl: i === 4 ? '1h' : '90d' })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await owner.get(`/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);

    const evens = await owner.get('/v1/keys?name=even');
    expect(evens.body.items.map((k: { id: string }) => k.id)).toEqual([ids[1], ids[3], ids[5]]);
    expect(evens.body.next_cursor).toBeNull();

    clock.advance(HOUR);
    await owner.delete(`/v1/keys/${ids[2]}`);
    const expired = await owner.get('/v1/keys?status=expired');
    expect(expired.body.items.map((k: { id: string }) => k.id)).toEqual([ids[5]]);
    const revoked = await owner.get('/v1/keys?status=revoked');
    expect(revoked.body.items.map((k: { id: string }) => k.id)).toEqual([ids[2]]);
    const active = await owner.get('/v1/keys?status=active&limit=100');
    expect(active.body.items.map((k: { id: string }) => k.id)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['status=gone', 'status'],
    ['cursor=not-a-cursor', 'cursor'],
    ['colour=blue', 'colour'],
  ])('list refuses %s with 400 naming the parameter', async (query, parameter) => {
    const response = await owner.get(`/v1/keys?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ parameter })]));
  });
});
