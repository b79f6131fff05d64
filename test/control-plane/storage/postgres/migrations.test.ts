/**
 * Every migration on PostgreSQL, applied by replicas that start together on one fresh database
 * (storage/migrate.ts applyMigrations, storage/open-database.ts).
 */
import { applyMigrations, loadMigrations } from '../../../../control-plane/src/storage/migrate';
import { openConfiguredDatabase } from '../../../../control-plane/src/storage/open-database';
import { PostgresDatabase } from '../../../../control-plane/src/storage/postgres/postgres-database';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres';

describe('migrations on PostgreSQL', () => {
  let database: TestDatabase;
  const opened: PostgresDatabase[] = [];
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    await database.drop();
  });

  test('three replicas migrating one fresh database together apply each version exactly once', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => PostgresDatabase.open(database.url, { poolSize: 2 })));
    opened.push(...replicas);
    const appliedByEach = await Promise.all(replicas.map((db) => applyMigrations(db)));

    const known = loadMigrations().map((migration) => migration.version);
    const appliedByAll = appliedByEach.flat().sort((a, b) => a - b);
    expect(appliedByAll).toEqual(known); // every version once: none twice, none missing
    const recorded = await replicas[0].all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(recorded.map((row) => row.version)).toEqual(known);

    // A later start has nothing left to do.
    expect(await applyMigrations(replicas[1])).toEqual([]);
  });

  test('openConfiguredDatabase returns a migrated PostgresDatabase whose schema behaves as on SQLite', async () => {
    const db = await openConfiguredDatabase({ dataDir: '/nonexistent-unused-with-postgres', databaseUrl: database.url, databasePoolSize: 2 });
    expect(db).toBeInstanceOf(PostgresDatabase);
    opened.push(db as PostgresDatabase);
    expect(db.engine).toBe('postgres');
    const now = 1_764_590_000_000;
    await db.transaction(async () => {
      await db.run('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)', ['acc_1', 'default', now]);
      await db.run('INSERT INTO principals (id, account_id, name, kind, role, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        'prn_1',
        'acc_1',
        'owner',
        'user',
        'owner',
        now,
      ]);
      await db.run(
        `INSERT INTO api_keys (id, account_id, principal_id, created_by, name, scopes_json, ip_allowlist_json, ttl, created_at, expires_at)
         VALUES (@id, 'acc_1', 'prn_1', 'prn_1', 'ci', '[]', '[]', '30d', @now, @expires)`,
        { id: 'key_1', now, expires: now + 30 * 86_400_000 },
      );
      await db.run('INSERT INTO dashboard_sessions (token_hash, key_id, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
        Buffer.from('token'),
        'key_1',
        Buffer.from('secret'),
        now,
        now + 3_600_000,
      ]);
    });
    // The trigger of migration 40: revoking a key ends its dashboard sessions in the same statement.
    await db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', [now + 1, 'key_1']);
    expect(await db.get('SELECT revoked_at FROM dashboard_sessions WHERE key_id = ?', ['key_1'])).toEqual({ revoked_at: now + 1 });
  });
});
