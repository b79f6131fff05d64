/**
 * Rate limits (http/request-pipeline.ts, services/rate-limiter.ts): per key, and per client
 * address for unauthenticated traffic, on both transports (the GET fast path and Express), with
 * low limits configured through the environment and a manual clock, so refills are exact.
 */
import { ManualClock } from '../../support/manual-clock';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';
import { mintKey } from '../../support/resource-tree';

describe('rate limits', () => {
  let cp: TestControlPlane;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    cp = await startControlPlane({
      clock,
      env: {
        MANAGED_RATE_LIMIT_PER_KEY: '1',
        MANAGED_RATE_LIMIT_PER_KEY_BURST: '3',
        MANAGED_RATE_LIMIT_ANONYMOUS: '0.5',
        MANAGED_RATE_LIMIT_ANONYMOUS_BURST: '2',
      },
    });
  });
  afterEach(() => cp.close());

  function expectLimited(response: { status: number; headers: Headers; contentType: string; body: any }, retryAfter: string) {
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(retryAfter);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status: 429,
      code: 'rate_limited',
      type: 'https://managed.dev/problems/rate_limited',
      retry_after: Number(retryAfter),
    });
  }

  test('a key over its limit gets 429 with Retry-After on every path; other keys are unaffected; it recovers', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const readerKey = await mintKey(owner, { name: 'reader', preset: 'read-only' });
    const reader = apiClient(cp.url, readerKey.secret);

    for (let i = 0; i < 3; i++) expect((await reader.get('/v1/whoami')).status).toBe(200); // the burst
    expectLimited(await reader.get('/v1/whoami'), '1'); // the fast path
    expectLimited(await reader.get('/v1/whoami?'), '1'); // Express
    expectLimited(await reader.get('/v1/keys?limit=5'), '1');
    expect((await owner.get('/v1/whoami')).status).toBe(200);

    clock.advance(1_000);
    expect((await reader.get('/v1/whoami')).status).toBe(200);
    expectLimited(await reader.get('/v1/whoami'), '1');

    // Counted, not audited one by one.
    expect(cp.server.services.denials.counted().rate_limited).toBe(4);
    const audit = await owner.get('/v1/audit?limit=100');
    expect(audit.body.items.filter((entry: any) => entry.key_id === readerKey.id)).toEqual([]);
  });

  test('unauthenticated traffic is limited per address: public routes, failed credentials, unknown paths', async () => {
    expect((await api(cp.url, 'GET', '/v1/scopes')).status).toBe(200);
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: 'mdk_not-a-key' })).status).toBe(401);
    expectLimited(await api(cp.url, 'GET', '/v1/scopes'), '2');
    expectLimited(await api(cp.url, 'GET', '/v1/whoami'), '2');
    expectLimited(await api(cp.url, 'GET', '/v1/nothing-here'), '2');
    expectLimited(await api(cp.url, 'OPTIONS', '/v1/keys'), '2');
    expectLimited(await api(cp.url, 'GET', '/openapi.json'), '2');
    // A valid key is limited by its own bucket, not the address's.
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: cp.ownerKey })).status).toBe(200);

    clock.advance(2_000);
    expect((await api(cp.url, 'GET', '/v1/presets')).status).toBe(200);
    expect(cp.server.services.denials.counted()).toMatchObject({ rate_limited: 5, invalid_token: 1 });
  });
});

/**
 * Refusals that are audited one by one but come before the key's bucket (a key used from outside
 * its allowlist, a session cookie without its CSRF token) take from the address's bucket: once it
 * is empty they are 429s, only counted, so a flood cannot add an audit row per request.
 */
describe('audited refusals before the key bucket', () => {
  let cp: TestControlPlane;
  let clock: ManualClock;
  afterEach(() => cp.close());

  async function start(env: Record<string, string> = {}) {
    clock = new ManualClock();
    cp = await startControlPlane({
      clock,
      env: {
        MANAGED_RATE_LIMIT_PER_KEY: '1',
        MANAGED_RATE_LIMIT_PER_KEY_BURST: '3',
        MANAGED_RATE_LIMIT_ANONYMOUS: '0.5',
        MANAGED_RATE_LIMIT_ANONYMOUS_BURST: '2',
        ...env,
      },
    });
    return apiClient(cp.url, cp.ownerKey);
  }

  async function deniedRows(owner: ReturnType<typeof apiClient>, detail: string): Promise<number> {
    await cp.server.services.denials.flush();
    const audit = await owner.get('/v1/audit?outcome=denied&limit=100');
    return audit.body.items.filter((entry: any) => entry.detail === detail).length;
  }

  test("ip_not_allowed: the address's bucket, not the key's; 429 with Retry-After once it is empty, audit rows bounded", async () => {
    const owner = await start({ MANAGED_TRUST_PROXY: '127.0.0.1' });
    const office = await mintKey(owner, { name: 'office', scopes: ['account:read'], ip_allowlist: ['10.0.0.0/8'] });
    const elsewhere = { key: office.secret, headers: { 'x-forwarded-for': '192.0.2.1' } };
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await api(cp.url, 'GET', '/v1/account', elsewhere);
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get('retry-after')).toBe('2');
      else expect(response.body.code).toBe('ip_not_allowed');
    }
    expect(statuses).toEqual([403, 403, 429, 429, 429, 429, 429, 429]);
    expect(cp.server.services.denials.counted().rate_limited).toBe(6);
    expect(await deniedRows(owner, 'ip_not_allowed')).toBe(2);
    // The legitimate holder's bucket is untouched: its whole burst is still there.
    const office10 = { key: office.secret, headers: { 'x-forwarded-for': '10.1.1.1' } };
    for (let i = 0; i < 3; i++) expect((await api(cp.url, 'GET', '/v1/account', office10)).status).toBe(200);
  });

  test('ip_not_allowed on the GET fast path is limited the same way', async () => {
    const owner = await start();
    const office = await mintKey(owner, { name: 'office', scopes: ['account:read'], ip_allowlist: ['10.0.0.0/8'] });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(cp.url, 'GET', '/v1/whoami', { key: office.secret })).status);
    expect(statuses).toEqual([403, 403, 429, 429]);
    expect(cp.server.services.denials.counted().rate_limited).toBe(2);
    expect(await deniedRows(owner, 'ip_not_allowed')).toBe(2);
  });

  test('csrf_token_invalid: a session cookie without its token is limited per address the same way', async () => {
    const owner = await start();
    const signedIn = await api(cp.url, 'POST', '/v1/sessions', { key: cp.ownerKey });
    expect(signedIn.status).toBe(201);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await api(cp.url, 'POST', '/v1/teams', { headers: { cookie }, json: { name: `team-${i}` } });
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get('retry-after')).toBe('2');
      else expect(response.body.code).toBe('csrf_token_invalid');
    }
    expect(statuses).toEqual([403, 403, 429, 429, 429, 429]);
    expect(cp.server.services.denials.counted().rate_limited).toBe(4);
    expect(await deniedRows(owner, 'csrf_token_invalid')).toBe(2);
  });
});
