/** Last-used records (docs/guides/api.md#keys): at most one write per key per minute, however busy the key is. */
import Database from 'better-sqlite3';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';
import { ManualClock, MINUTE } from '../../support/manual-clock';
import { mintKey, seedBranch } from '../../support/resource-tree';

describe('last-used writes over HTTP', () => {
  let cp: TestControlPlane;
  afterEach(() => cp.close());

  test('1,000 requests with one key cause a single write; a minute later, one more', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');
    cp = await startControlPlane({ clock });
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'busy');
    const key = await mintKey(owner, { name: 'busy', scopes: ['sites:read'], constraint: { site_id: branch.siteId } });
    const recorder = cp.server.services.lastUsed;
    await recorder.flush();
    const writesBefore = recorder.writes;

    // Count UPDATEs of api_keys from outside the server too: SQLite's data_version moves with
    // every commit made by another connection.
    const observer = new Database(cp.databasePath, { readonly: true });
    const lastUsedOf = () => observer.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').get(key.id) as { last_used_at: number | null };

    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => api(cp.url, 'GET', `/v1/sites/${branch.siteId}`, { key: key.secret })));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      clock.advance(1_000); // 20 s of traffic in total
    }
    await recorder.flush();
    expect(recorder.writes - writesBefore).toBe(1);
    expect(lastUsedOf().last_used_at).toBe(Date.parse('2030-01-01T00:00:00.000Z'));

    clock.advance(MINUTE);
    expect((await api(cp.url, 'GET', `/v1/sites/${branch.siteId}`, { key: key.secret })).status).toBe(200);
    await recorder.flush();
    expect(recorder.writes - writesBefore).toBe(2);
    expect(lastUsedOf().last_used_at).toBe(clock.now().getTime());
    expect((await owner.get(`/v1/keys/${key.id}`)).body).toMatchObject({ last_used_at: clock.now().toISOString(), last_used_ip: '127.0.0.1' });
    observer.close();
  });
});
