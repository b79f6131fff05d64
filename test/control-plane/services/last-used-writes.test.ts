/** Last-used records (docs/guides/api.md#keys): at most one write per key per minute, however busy the key is. */
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

    // What another connection sees (PostgreSQL hands a BIGINT to a plain client as text).
    const lastUsedOf = async () => {
      const [row] = await cp.queryOutside<{ last_used_at: number | string | null }>('SELECT last_used_at FROM api_keys WHERE id = ?', [key.id]);
      return Number(row.last_used_at);
    };

    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => api(cp.url, 'GET', `/v1/sites/${branch.siteId}`, { key: key.secret })));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      clock.advance(1_000); // 20 s of traffic in total
    }
    await recorder.flush();
    expect(recorder.writes - writesBefore).toBe(1);
    expect(await lastUsedOf()).toBe(Date.parse('2030-01-01T00:00:00.000Z'));

    clock.advance(MINUTE);
    expect((await api(cp.url, 'GET', `/v1/sites/${branch.siteId}`, { key: key.secret })).status).toBe(200);
    await recorder.flush();
    expect(recorder.writes - writesBefore).toBe(2);
    expect(await lastUsedOf()).toBe(clock.now().getTime());
    expect((await owner.get(`/v1/keys/${key.id}`)).body).toMatchObject({ last_used_at: clock.now().toISOString(), last_used_ip: '127.0.0.1' });
  });

  test('a replica flushing an older use does not turn a newer record back', async () => {
    cp = await startControlPlane();
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = await mintKey(owner, { name: 'shared', scopes: ['account:read'] });
    const keys = cp.server.services.keys;
    const newer = Date.parse('2030-01-01T00:02:00.000Z');
    // Replica B flushed its use at 00:02 first; replica A's batch from 00:01 arrives after it.
    await keys.recordLastUsed(key.id, newer, '192.0.2.2');
    await keys.recordLastUsed(key.id, newer - MINUTE, '192.0.2.1');
    await keys.recordLastUsed(key.id, newer, '192.0.2.3'); // the same instant again changes nothing either
    expect(await keys.findById(key.id)).toMatchObject({ lastUsedAt: newer, lastUsedIp: '192.0.2.2' });
    await keys.recordLastUsed(key.id, newer + MINUTE, '192.0.2.4');
    expect(await keys.findById(key.id)).toMatchObject({ lastUsedAt: newer + MINUTE, lastUsedIp: '192.0.2.4' });
  });
});
