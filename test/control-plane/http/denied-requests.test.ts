/**
 * Denied requests cannot fill the disk (services/denial-recorder.ts): anonymous refusals are
 * counted and summarised, and a known key's refusals are audited with the path bounded and any
 * secret in it blanked, however it is encoded.
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';
import { mintKey } from '../../support/resource-tree';
import { SYSTEM_CHAIN } from '../../../control-plane/src/storage/audit-repository';

const PATH_LENGTH = 16_000;

/** A path of exactly PATH_LENGTH characters starting with `prefix`. */
function longPath(prefix: string): string {
  return prefix + 'x'.repeat(PATH_LENGTH - prefix.length);
}

async function inBatches<T>(count: number, batch: number, send: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += batch) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, i) => send(start + i)))));
  }
  return results;
}

describe('denied requests', () => {
  let cp: TestControlPlane;
  beforeEach(async () => {
    cp = await startControlPlane();
  });
  afterEach(() => cp.close());

  test('400 anonymous requests with 16 KB paths grow the store by less than 400 KB, and are summarised', async () => {
    // Warm up: the first writes of a fresh database allocate pages that later writes reuse.
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: cp.ownerKey })).status).toBe(200);
    const before = await cp.storedSize();
    const wellFormedUnknown = 'mdk_' + 'A'.repeat(46);
    const statuses = await inBatches(400, 20, async (i) => {
      const kind = i % 4;
      const path = longPath(kind === 3 ? '/v1/nothing/' : `/v1/keys/key_${i}_`);
      const options = kind === 0 ? {} : { key: kind === 1 ? 'mdk_malformed' : wellFormedUnknown };
      return (await api(cp.url, 'GET', path, options)).status;
    });
    expect(new Set(statuses)).toEqual(new Set([401, 404]));
    const grown = (await cp.storedSize()) - before;
    expect(grown).toBeLessThan(400 * 1024);

    expect(cp.server.services.denials.counted()).toEqual({ missing_credentials: 100, invalid_token: 200 });
    await cp.server.close(); // writes the summary
    const rows = await cp.queryOutside('SELECT action, target, detail FROM audit_log WHERE chain = ?', [SYSTEM_CHAIN]);
    expect(rows).toEqual([{ action: 'requests.denied', target: null, detail: 'invalid_token 200, missing_credentials 100' }]);
  });

  test("a known key's refusals are audited with the path cut to 256 characters and secrets blanked in any encoding", async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const elsewhere = await mintKey(owner, { name: 'elsewhere', scopes: ['keys:read'], ip_allowlist: ['192.0.2.0/24'] });
    const revoked = await mintKey(owner, { name: 'revoked', scopes: ['sites:read'] });
    expect((await owner.delete(`/v1/keys/${revoked.id}`)).status).toBe(200);
    const leaked = mintKeySecretLike(cp.ownerKey);

    const paths = [
      `/v1/keys/${leaked.percentEncoded}${'-'.repeat(PATH_LENGTH)}`,
      `/v1/keys/${leaked.doubleEncoded}`,
      `/v1/keys/${leaked.fiveTimesEncoded}`,
      `/v1/keys/${[...cp.ownerKey].map((c) => `%25252525${c.charCodeAt(0).toString(16)}`).join('')}`,
      `/v1/keys/${leaked.plain}`,
    ];
    for (const path of paths) {
      expect((await api(cp.url, 'GET', path, { key: elsewhere.secret })).status).toBe(403); // ip_not_allowed
      expect((await api(cp.url, 'GET', path, { key: revoked.secret })).status).toBe(401);
    }

    // A refusal is audited after its response is sent; flush so the read below sees all of them.
    await cp.server.services.denials.flush();
    const audit = await owner.get('/v1/audit?outcome=denied&limit=100');
    const entries = audit.body.items.filter((entry: any) => entry.key_id === elsewhere.id || entry.key_id === revoked.id);
    expect(entries).toHaveLength(10);
    for (const entry of entries) {
      expect(entry.target.length).toBeLessThanOrEqual(256);
      expect(entry.target).toContain('[redacted]');
      expect(JSON.stringify(entry)).not.toContain(leaked.body.slice(0, 16));
    }
    const { n } = (await cp.server.services.db.get<{ n: number }>(
      "SELECT count(*) AS n FROM audit_log WHERE target LIKE '%' || ? || '%' OR length(target) > 256",
      [leaked.body.slice(0, 16)],
    ))!;
    expect(n).toBe(0);
  });
});

/** The owner key spelled four ways a client might put it in a path by mistake. */
function mintKeySecretLike(secret: string) {
  const body = secret.slice(4);
  return { plain: secret, percentEncoded: `mdk%5F${body}`, doubleEncoded: `mdk%255F${body}`, fiveTimesEncoded: `mdk%252525255F${body}`, body };
}
