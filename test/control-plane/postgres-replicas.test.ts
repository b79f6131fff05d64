/**
 * Two control planes on one PostgreSQL database (MANAGED_DATABASE_URL), the smallest end-to-end
 * check that the store is what the server runs on: one bootstrap between them, a key minted on one
 * works on the other, and a revocation on either is refused by both (the other within moments,
 * through LISTEN/NOTIFY; polled, no timing asserted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../control-plane/src/app';
import { PostgresDatabase } from '../../control-plane/src/storage/postgres/postgres-database';
import { startControlPlane, TEST_RATE_LIMITS, type TestControlPlane } from '../support/control-plane';
import { eventually } from '../support/eventually';
import { api } from '../support/http';
import { queryOnce } from '../../scripts/lib/postgres-cluster';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

describe('two replicas on one PostgreSQL database', () => {
  let database: TestDatabase;
  let replicaA: TestControlPlane;
  let replicaB: RunningServer;
  let dataDirB: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    const shared = { MANAGED_DATABASE_URL: database.url, MANAGED_PEPPER: 'a-shared-pepper-of-at-least-32-characters' };
    replicaA = await startControlPlane({ env: shared });
    dataDirB = mkdtempSync(join(tmpdir(), 'managed-replica-b-'));
    const announced: string[] = [];
    replicaB = await startServer({
      env: { MANAGED_DATA_DIR: dataDirB, LOG_LEVEL: 'silent', ...TEST_RATE_LIMITS, ...shared },
      config: { port: 0, host: '127.0.0.1' },
      announce: (line) => announced.push(line),
    });
    expect(replicaB.bootstrap.created).toBe(false); // A bootstrapped the shared database; B prints nothing
    expect(announced).toEqual([]);
  });
  afterAll(async () => {
    await replicaB?.close();
    await replicaA?.close();
    if (dataDirB) rmSync(dataDirB, { recursive: true, force: true });
    await database?.drop();
  });

  test('both run on PostgreSQL; a key minted on A works on B; revoked on B, A refuses it too', async () => {
    expect(replicaA.server.services.db).toBeInstanceOf(PostgresDatabase);
    expect(replicaB.services.db).toBeInstanceOf(PostgresDatabase);
    const minted = await api(replicaA.url, 'POST', '/v1/keys', { key: replicaA.ownerKey, json: { name: 'ci', scopes: ['sites:read'] } });
    expect(minted.status).toBe(201);
    const secret: string = minted.body.secret;
    expect((await api(replicaA.url, 'GET', '/v1/whoami', { key: secret })).status).toBe(200);
    expect((await api(replicaB.url, 'GET', '/v1/whoami', { key: secret })).status).toBe(200);
    // A's own last-used write would empty A's caches by itself: let it land, then warm A's cache
    // again (a second use within the interval writes nothing), so only B's notification can reach it.
    await replicaA.server.services.lastUsed.flush();
    expect((await api(replicaA.url, 'GET', '/v1/whoami', { key: secret })).status).toBe(200);

    expect((await api(replicaB.url, 'DELETE', `/v1/keys/${minted.body.id}`, { key: replicaA.ownerKey })).status).toBe(200);
    expect((await api(replicaB.url, 'GET', '/v1/whoami', { key: secret })).status).toBe(401);
    await eventually(async () => (await api(replicaA.url, 'GET', '/v1/whoami', { key: secret })).status === 401, 'A to refuse the key B revoked');
  });

  test("a key revoked directly in SQL, behind both replicas' backs, is refused by both, though both had it cached", async () => {
    const minted = await api(replicaA.url, 'POST', '/v1/keys', { key: replicaA.ownerKey, json: { name: 'by-sql', scopes: ['sites:read'] } });
    expect(minted.status).toBe(201);
    const secret: string = minted.body.secret;
    for (const url of [replicaA.url, replicaB.url]) expect((await api(url, 'GET', '/v1/whoami', { key: secret })).status).toBe(200);
    // Let the last-used writes land, then warm both caches again (no further write within the interval).
    await replicaA.server.services.lastUsed.flush();
    await replicaB.services.lastUsed.flush();
    for (const url of [replicaA.url, replicaB.url]) expect((await api(url, 'GET', '/v1/whoami', { key: secret })).status).toBe(200);

    // An operator's own connection (psql): only migration 0060's triggers tell the replicas.
    await queryOnce(database.url, 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2', [Date.now(), minted.body.id]);
    for (const [name, url] of [
      ['A', replicaA.url],
      ['B', replicaB.url],
    ] as const) {
      await eventually(async () => (await api(url, 'GET', '/v1/whoami', { key: secret })).status === 401, `${name} to refuse the key revoked in SQL`);
    }
  });
});
