/**
 * No API response may be stored by a browser or proxy cache (http/security-headers.ts): minted and
 * rotated keys, credential passwords and session CSRF tokens travel in them. The dashboard's own
 * files keep their caching (http/dashboard-assets.ts).
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient, type ApiResponse } from '../../support/http';
import { mintKey, seedBranch } from '../../support/resource-tree';

describe('Cache-Control', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  const noStore = (label: string, response: ApiResponse) =>
    expect({ label, cacheControl: response.headers.get('cache-control') }).toEqual({ label, cacheControl: 'no-store' });

  test('every /v1 response is no-store: secrets, CSRF tokens, fast-path reads and errors alike', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const minted = await owner.post('/v1/keys', { json: { name: 'cached', scopes: ['sites:read'] } });
    expect(minted.status).toBe(201);
    noStore('POST /v1/keys', minted);
    const rotated = await owner.post(`/v1/keys/${minted.body.id}/rotate`);
    expect(rotated.body.secret).toMatch(/^mdk_/);
    noStore('POST /v1/keys/{id}/rotate', rotated);

    const branch = await seedBranch(owner, 'cache');
    expect((await owner.post(`/v1/sites/${branch.siteId}/credentials`, { json: { name: 'sftp', username: 'deploy' } })).status).toBe(201);
    const credentials = await owner.get(`/v1/sites/${branch.siteId}/credentials`);
    expect(credentials.body.items[0].password).toEqual(expect.any(String));
    noStore('GET /v1/sites/{id}/credentials', credentials);

    const session = await api(cp.url, 'POST', '/v1/sessions', { key: cp.ownerKey });
    expect(session.body.csrf_token).toEqual(expect.any(String));
    noStore('POST /v1/sessions', session);
    const cookie = (session.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    const current = await api(cp.url, 'GET', '/v1/sessions/current', { headers: { cookie } });
    expect(current.status).toBe(200);
    noStore('GET /v1/sessions/current', current);
    const ended = await api(cp.url, 'DELETE', '/v1/sessions/current', { headers: { cookie, 'x-csrf-token': session.body.csrf_token } });
    expect(ended.status).toBeLessThan(300);
    noStore('DELETE /v1/sessions/current', ended);

    // The GET fast path (no query string) and the Express path (with one) answer alike.
    noStore('GET /v1/whoami', await owner.get('/v1/whoami'));
    noStore('GET /v1/keys?limit=1', await owner.get('/v1/keys?limit=1'));
    const walled = await mintKey(owner, { name: 'walled', scopes: ['sites:read'], ip_allowlist: ['192.0.2.0/24'] });
    noStore('403', await api(cp.url, 'GET', '/v1/whoami', { key: walled.secret }));
    noStore('401', await api(cp.url, 'GET', '/v1/whoami'));
    noStore('404', await owner.get('/v1/keys/key_0000000000000000000000'));
    noStore('400', await owner.post('/v1/keys', { json: { name: '' } }));
  });

  test("the dashboard's files keep their own caching", async () => {
    const index = await fetch(`${cp.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = /(?:src|href)="(\/assets\/[^"]+)"/.exec(await index.text())?.[1];
    const file = await fetch(`${cp.url}${asset}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await file.arrayBuffer();
  });
});
