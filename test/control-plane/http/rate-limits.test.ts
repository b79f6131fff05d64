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
    expect(response.body).toMatchObject({ status: 429, code: 'rate_limited', type: 'https://managed.dev/problems/rate_limited', retry_after: Number(retryAfter) });
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
