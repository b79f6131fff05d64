/**
 * PostgresDatabase on a real PostgreSQL (test/support/postgres.ts): what repositories rely on from
 * storage/sql-database.ts, engine for engine.
 */
import { Client } from 'pg';
import { PostgresDatabase } from '../../../../control-plane/src/storage/postgres/postgres-database';
import { eventually } from '../../../support/eventually';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres';

describe('PostgresDatabase', () => {
  let database: TestDatabase;
  let db: PostgresDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
    db = await PostgresDatabase.open(database.url, { poolSize: 4 });
    await db.exec(`
      CREATE TABLE things (id TEXT PRIMARY KEY, value TEXT, at BIGINT, data BYTEA);
      CREATE TABLE counters (name TEXT PRIMARY KEY, count BIGINT NOT NULL);
    `);
  });
  afterEach(async () => {
    await db.close();
    await database.drop();
  });

  test('? and @name parameters reach the server as $n; ? inside strings, identifiers and comments stay text', async () => {
    await db.run('INSERT INTO things (id, value) VALUES (?, ?)', ['a', "it's ?"]);
    await db.run('INSERT INTO things (id, value, at) VALUES (@id, @value, @at)', { id: 'b', value: '@value', at: 7 });
    const row = await db.get<{ id: string; question: string; literal: string; v: string }>(
      `SELECT id, '?' AS question, E'\\'@id\\'' AS literal, "value" AS v -- a comment with ? and @id
       FROM things /* and ? here */ WHERE id = @id AND at = @at::bigint AND @at = at`,
      { id: 'b', at: 7 },
    );
    expect(row).toEqual({ id: 'b', question: '?', literal: "'@id'", v: '@value' });
    expect(await db.all<{ id: string }>('SELECT id FROM things WHERE value = ? ORDER BY id', ["it's ?"])).toEqual([{ id: 'a' }]);
    expect(await db.get('SELECT id FROM things WHERE id = ?', ['none'])).toBeUndefined();
    await expect(db.get('SELECT 1; SELECT 2')).rejects.toThrow(/multiple commands/); // one statement per call, as better-sqlite3
  });

  test('BIGINT, count(*) and sum() come back as numbers; a Buffer comes back as the same bytes', async () => {
    const time = 1_764_590_000_123;
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0]);
    await db.run('INSERT INTO things (id, at, data) VALUES (?, ?, ?)', ['a', time, bytes]);
    await db.run('INSERT INTO things (id, at) VALUES (?, ?)', ['b', BigInt(Number.MAX_SAFE_INTEGER)]);
    const row = await db.get<{ at: number; data: Buffer }>('SELECT at, data FROM things WHERE id = ?', ['a']);
    expect(row?.at).toBe(time);
    expect(Buffer.isBuffer(row?.data) && row.data.equals(bytes)).toBe(true);
    const totals = await db.get<{ rows: number; total: number }>('SELECT count(*) AS rows, sum(at) AS total FROM things WHERE id = ?', ['a']);
    expect(totals).toEqual({ rows: 1, total: time });
    expect((await db.get<{ at: number }>('SELECT at FROM things WHERE id = ?', ['b']))?.at).toBe(Number.MAX_SAFE_INTEGER);
    // Past 2^53 a number would be silently wrong: refused instead.
    await expect(db.get('SELECT 9007199254740993::bigint AS big')).rejects.toThrow(/does not fit a JavaScript number/);
    // Our pool's parsers only: node-postgres's global ones (any other client in the process) are untouched.
    const plain = new Client({ connectionString: database.url });
    await plain.connect();
    try {
      expect((await plain.query('SELECT 7::bigint AS seven')).rows[0].seven).toBe('7');
    } finally {
      await plain.end();
    }
  });

  test('run reports changed rows; a throw rolls the transaction back; a nested transaction that throws is undone alone', async () => {
    expect((await db.run('INSERT INTO things (id) VALUES (?), (?)', ['a', 'b'])).changes).toBe(2);
    expect((await db.run('UPDATE things SET value = ? WHERE id = ?', ['x', 'none'])).changes).toBe(0);
    await expect(
      db.transaction(async () => {
        await db.run('INSERT INTO things (id) VALUES (?)', ['c']);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    const outcome = await db.transaction(async () => {
      await db.run('INSERT INTO things (id) VALUES (?)', ['d']);
      const failure = await db
        .transaction(async () => {
          await db.run('INSERT INTO things (id) VALUES (?)', ['e']);
          await db.run('INSERT INTO things (id) VALUES (?)', ['a']); // unique violation aborts only the savepoint
        })
        .catch((error: unknown) => error);
      expect(db.isUniqueViolation(failure)).toBe(true);
      await db.transaction(async () => {
        await db.run('INSERT INTO things (id) VALUES (?)', ['f']);
      });
      expect(db.inTransaction).toBe(true);
      return 'committed';
    });
    expect(outcome).toBe('committed');
    expect(db.inTransaction).toBe(false);
    expect((await db.all<{ id: string }>('SELECT id FROM things ORDER BY id')).map((row) => row.id)).toEqual(['a', 'b', 'd', 'f']);
  });

  test('isUniqueViolation is true for a duplicate key only', async () => {
    await db.run('INSERT INTO things (id) VALUES (?)', ['a']);
    const duplicate = await db.run('INSERT INTO things (id) VALUES (?)', ['a']).catch((error: unknown) => error);
    expect(db.isUniqueViolation(duplicate)).toBe(true);
    const otherFailure = await db.run('INSERT INTO no_such_table (id) VALUES (?)', ['a']).catch((error: unknown) => error);
    expect(otherFailure).toBeInstanceOf(Error);
    expect(db.isUniqueViolation(otherFailure)).toBe(false);
    expect(db.isUniqueViolation(new Error('duplicate key'))).toBe(false);
  });

  test('every call inside a transaction, across awaits, uses its connection; concurrent transactions never share one', async () => {
    const backend = () => db.get<{ pid: number }>('SELECT pg_backend_pid() AS pid').then((row) => row?.pid);
    const seen: Array<{ transaction: number; pids: Set<number | undefined> }> = [];
    let release!: () => void;
    const bothInside = new Promise<void>((resolve) => (release = resolve));
    let inside = 0;
    const transactionOf = (index: number) =>
      db.transaction(async () => {
        const pids = new Set<number | undefined>([await backend()]);
        inside += 1;
        if (inside === 2) release();
        await bothInside; // both transactions are open at once from here on
        for (let step = 0; step < 5; step += 1) {
          await new Promise((resolve) => setImmediate(resolve));
          pids.add(await backend());
          await db.run('INSERT INTO counters (name, count) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET count = counters.count + 1', [`t${index}`]);
        }
        await db.transaction(async () => pids.add(await backend()));
        seen.push({ transaction: index, pids });
      });
    await Promise.all([transactionOf(1), transactionOf(2)]);
    expect(seen).toHaveLength(2);
    for (const { pids } of seen) expect(pids.size).toBe(1);
    expect([...seen[0].pids][0]).not.toBe([...seen[1].pids][0]);
    expect(await db.all('SELECT name, count FROM counters ORDER BY name')).toEqual([
      { name: 't1', count: 5 },
      { name: 't2', count: 5 },
    ]);
  });

  test('lock() serialises transactions of two instances on one name, and is refused outside a transaction', async () => {
    const other = await PostgresDatabase.open(database.url, { poolSize: 2 });
    try {
      await expect(db.lock('audit-chain')).rejects.toThrow(/lock\("audit-chain"\) must be called inside db.transaction/);
      const events: string[] = [];
      let firstHasLock!: () => void;
      const firstLocked = new Promise<void>((resolve) => (firstHasLock = resolve));
      let letFirstFinish!: () => void;
      const firstMayFinish = new Promise<void>((resolve) => (letFirstFinish = resolve));
      const first = db.transaction(async () => {
        await db.lock('audit-chain');
        events.push('first locked');
        firstHasLock();
        await firstMayFinish;
        await db.run('INSERT INTO counters (name, count) VALUES (?, ?)', ['chain', 1]);
        events.push('first done');
      });
      await firstLocked;
      const second = other.transaction(async () => {
        await other.lock('audit-chain');
        events.push('second locked');
        const row = await other.get<{ count: number }>('SELECT count FROM counters WHERE name = ?', ['chain']);
        await other.run('UPDATE counters SET count = ? WHERE name = ?', [(row?.count ?? 0) + 1, 'chain']);
      });
      // The second instance is now waiting in pg_advisory_xact_lock (visible to the server).
      await eventually(async () => {
        const waiting = await db.get<{ count: number }>(
          "SELECT count(*) AS count FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        );
        return waiting?.count === 1;
      }, 'the second instance to wait for the lock');
      // A different name is not held by anyone.
      await other.transaction(async () => other.lock('another-chain'));
      letFirstFinish();
      await Promise.all([first, second]);
      expect(events).toEqual(['first locked', 'first done', 'second locked']);
      expect((await db.get<{ count: number }>('SELECT count FROM counters WHERE name = ?', ['chain']))?.count).toBe(2);
    } finally {
      await other.close();
    }
  });
});
