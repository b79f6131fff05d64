/**
 * The GET fast path (http/fast-path.ts) must be invisible: same status, headers and body as the
 * Express pipeline, and every refusal still comes from (and is audited by) that pipeline.
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';
import { mintKey, seedBranch } from '../../support/resource-tree';

describe('GET fast path', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  const headersOf = (r: { headers: Headers }) => [...r.headers.entries()].filter(([name]) => name !== 'date');

  test('answers exactly like Express does', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'fast');
    const key = await mintKey(owner, { name: 'reader', preset: 'read-only', constraint: { site_id: branch.siteId } });
    for (const path of [`/v1/sites/${branch.siteId}`, '/v1/whoami', `/v1/sites/${branch.siteId}/env`, `/v1/keys/${key.id}`]) {
      const fast = await api(cp.url, 'GET', path, { key: key.secret });
      // A query string always takes the Express pipeline.
      const viaExpress = await api(cp.url, 'GET', `${path}?`, { key: key.secret });
      expect(fast.status).toBe(200);
      expect(fast.text).toBe(viaExpress.text);
      expect(headersOf(fast)).toEqual(headersOf(viaExpress));
    }
  });

  test('sees a revocation, a demotion and a deletion at once despite its caches', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'cached');
    const key = await mintKey(owner, { name: 'cached', scopes: ['sites:read'] });
    const path = `/v1/sites/${branch.siteId}`;
    expect((await api(cp.url, 'GET', path, { key: key.secret })).status).toBe(200);
    expect((await owner.delete(path)).status).toBe(204);
    expect((await api(cp.url, 'GET', path, { key: key.secret })).status).toBe(404);
    expect((await owner.delete(`/v1/keys/${key.id}`)).status).toBe(200);
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: key.secret })).status).toBe(401);
  });
});
