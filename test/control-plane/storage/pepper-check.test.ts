/**
 * A process whose pepper differs from the one its database was set up with would answer "The key
 * is unknown" to every key; it must refuse to start instead, naming MANAGED_PEPPER
 * (storage/pepper-check.ts). On PostgreSQL that is two replicas on one database; on SQLite it is a
 * data directory started with its pepper file and then with a MANAGED_PEPPER that overrides it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../control-plane/src/app';
import { openConfiguredDatabase } from '../../../control-plane/src/storage/open-database';
import { PEPPER_CHECK_SETTING, pepperCheckValue } from '../../../control-plane/src/storage/pepper-check';
import { TEST_RATE_LIMITS } from '../../support/control-plane';
import { api } from '../../support/http';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

const PEPPER = 'the-pepper-every-replica-shares-0123456789';
const OTHER_PEPPER = 'a-different-pepper-typed-on-one-replica-987';

describe('a replica with another pepper refuses to start', () => {
  const dataDirs: string[] = [];
  const servers: RunningServer[] = [];
  let database: TestDatabase | undefined;
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
    database = undefined;
  });

  function start(env: Record<string, string>, dataDir = mkdtempSync(join(tmpdir(), 'managed-pepper-check-'))): Promise<RunningServer> {
    if (!dataDirs.includes(dataDir)) dataDirs.push(dataDir);
    return startServer({
      env: { MANAGED_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...TEST_RATE_LIMITS, ...env },
      config: { port: 0, host: '127.0.0.1' },
      announce: () => undefined,
    }).then((server) => {
      servers.push(server);
      return server;
    });
  }

  test('PostgreSQL: the same pepper starts and serves; another one stops the start naming MANAGED_PEPPER; the database keeps a check value, not the pepper', async () => {
    database = await createTestDatabase();
    const first = await start({ MANAGED_DATABASE_URL: database.url, MANAGED_PEPPER: PEPPER });
    if (!first.bootstrap.created) throw new Error('the first start on a new database bootstraps it');
    const ownerKey = first.bootstrap.ownerKey;
    const second = await start({ MANAGED_DATABASE_URL: database.url, MANAGED_PEPPER: PEPPER });
    expect((await api(second.url, 'GET', '/v1/whoami', { key: ownerKey })).status).toBe(200);

    await expect(start({ MANAGED_DATABASE_URL: database.url, MANAGED_PEPPER: OTHER_PEPPER })).rejects.toThrow(
      /MANAGED_PEPPER differs from the pepper this database was set up with/,
    );

    const row = await first.services.db.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [PEPPER_CHECK_SETTING]);
    expect(row?.value).toBe(pepperCheckValue(Buffer.from(PEPPER)));
    expect(row?.value).not.toContain(PEPPER);
  });

  test('SQLite: a data directory first started with its pepper file refuses a MANAGED_PEPPER that overrides it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'managed-pepper-check-'));
    const first = await start({}, dataDir);
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    await expect(start({ MANAGED_PEPPER: OTHER_PEPPER }, dataDir)).rejects.toThrow(/MANAGED_PEPPER differs/);
    const again = await start({}, dataDir); // the pepper file still fits
    expect(again.bootstrap.created).toBe(false);
  });
});

describe('an unreachable PostgreSQL', () => {
  test('the start fails naming host:port/database, never the password', async () => {
    let message = '';
    try {
      // Port 1 on loopback: nothing listens there, so the connection is refused at once.
      const db = await openConfiguredDatabase(
        { dataDir: tmpdir(), databaseUrl: 'postgres://operator:hunter2-password@127.0.0.1:1/managed', databasePoolSize: 1 },
        { onBackgroundError: () => undefined },
      );
      await db.close();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/managed \(MANAGED_DATABASE_URL\)/);
    expect(message).not.toContain('hunter2');
  });
});
