/**
 * PostgresDatabase when a connection dies or a session gets stuck (issue 13): a lost connection
 * fails its transaction without ending the process; a session idling inside a transaction (a
 * replica frozen with `kill -STOP`) loses its locks to the server's idle timeout; lock and pool
 * waits end instead of hanging. Every such failure is a DatabaseUnavailableError (a 503 upstream).
 */
import { DatabaseError } from 'pg';
import { DatabaseUnavailableError } from '../../../../control-plane/src/storage/database-unavailable';
import { PostgresDatabase } from '../../../../control-plane/src/storage/postgres/postgres-database';
import { eventually } from '../../../support/eventually';
import { adminQuery, createTestDatabase, type TestDatabase } from '../../../support/postgres';

/** A promise and the function that settles it: a transaction that waits on it stands still. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function backendGone(pid: number): Promise<boolean> {
  return (await adminQuery('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length === 0;
}

describe('PostgresDatabase under connection failures', () => {
  let database: TestDatabase;
  const opened: PostgresDatabase[] = [];
  const open = async (options: Parameters<typeof PostgresDatabase.open>[1] = {}) => {
    const db = await PostgresDatabase.open(database.url, { poolSize: 2, ...options });
    opened.push(db);
    return db;
  };
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    await database.drop();
  });

  test('a backend terminated inside an open transaction fails that transaction; the process and the next transaction carry on', async () => {
    const db = await open();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = await db
        .transaction(async () => {
          const row = await db.get<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await adminQuery('SELECT pg_terminate_backend($1)', [row!.pid]);
          // Idle on the connection while the server ends it: only an 'error' event reports that.
          await eventually(() => backendGone(row!.pid), 'the backend is gone');
          await new Promise((resolve) => setTimeout(resolve, 50));
          await db.get('SELECT 1 AS one');
          return 'committed';
        })
        .catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(DatabaseUnavailableError);
      expect(uncaught).toEqual([]);
      // The broken connection went out of the pool: every later transaction gets a live one.
      for (let i = 0; i < 4; i++) {
        expect(await db.transaction(() => db.get<{ one: number }>('SELECT 1 AS one'))).toEqual({ one: 1 });
      }
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  test('pg_terminate_backend of every pooled connection under concurrent write load rejects the writes in flight, and the pool recovers', async () => {
    const db = await open({ poolSize: 4 });
    await db.exec('CREATE TABLE minted (id SERIAL PRIMARY KEY, note TEXT)');
    let stop = false;
    const writers = Array.from({ length: 6 }, async () => {
      const failures: unknown[] = [];
      while (!stop) {
        await db
          .transaction(async () => {
            await db.lock('audit-chain:account');
            await db.run('INSERT INTO minted (note) VALUES (?)', ['x']);
          })
          .catch((error: unknown) => failures.push(error));
      }
      return failures;
    });
    await eventually(async () => ((await db.get<{ n: number }>('SELECT count(*) AS n FROM minted'))?.n ?? 0) > 20, 'writes are flowing');
    await adminQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'managed-control-plane' AND datname = $1", [
      database.name,
    ]);
    const before = (await db.get<{ n: number }>('SELECT count(*) AS n FROM minted'))!.n;
    await eventually(async () => (await db.get<{ n: number }>('SELECT count(*) AS n FROM minted'))!.n > before + 20, 'writes flow again');
    stop = true;
    const failures = (await Promise.all(writers)).flat();
    for (const failure of failures) expect(failure).toBeInstanceOf(DatabaseUnavailableError);
  });

  test('a session left idle inside a transaction holding a lock is ended by the server: the waiter gets the lock, the idler fails cleanly', async () => {
    // A stands for a frozen replica: it takes the lock, then does nothing while its transaction is open.
    const frozen = await open({ limits: { idleInTransactionMs: 300 } });
    const waiter = await open();
    const thaw = gate();
    const locked = gate();
    const frozenOutcome = frozen
      .transaction(async () => {
        await frozen.lock('x');
        locked.open();
        await thaw.opened;
        await frozen.get('SELECT 1 AS one');
        return 'committed';
      })
      .catch((error: unknown) => error);
    await locked.opened;
    // Waits for A's session to end (its lock goes with it), well within the waiter's lock_timeout.
    expect(
      await waiter.transaction(async () => {
        await waiter.lock('x');
        return 'locked';
      }),
    ).toBe('locked');
    thaw.open();
    const failure = await frozenOutcome;
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    // The frozen side's pool is healthy again once it wakes up.
    expect(await frozen.transaction(() => frozen.get<{ one: number }>('SELECT 1 AS one'))).toEqual({ one: 1 });
  });

  test('a lock held longer than lock_timeout fails the waiter with lock_not_available instead of hanging', async () => {
    const holder = await open();
    const waiter = await open({ limits: { lockTimeoutMs: 200 } });
    const release = gate();
    const locked = gate();
    const held = holder.transaction(async () => {
      await holder.lock('x');
      locked.open();
      await release.opened;
    });
    await locked.opened;
    const failure = await waiter.transaction(() => waiter.lock('x')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(DatabaseError);
    expect((cause as DatabaseError).code).toBe('55P03');
    release.open();
    await held;
    // Migrations are exempt: they may wait as long as another replica's migration takes.
    const migrationHeld = gate();
    const migrationLocked = gate();
    const migrating = holder.transaction(async () => {
      await holder.lock('migrations');
      migrationLocked.open();
      await migrationHeld.opened;
    });
    await migrationLocked.opened;
    const unboundedWait = waiter.transaction(
      async () => {
        await waiter.lock('migrations');
        return 'migrated';
      },
      { unbounded: true },
    );
    // Held past the waiter's lock_timeout: it must still be waiting, not failed.
    await new Promise((resolve) => setTimeout(resolve, 400));
    migrationHeld.open();
    await migrating;
    expect(await unboundedWait).toBe('migrated');
  });

  test('a request that finds every pooled connection busy past the connect timeout fails instead of waiting for ever', async () => {
    const db = await open({ poolSize: 1, limits: { connectTimeoutMs: 200 } });
    const release = gate();
    const started = gate();
    const busy = db.transaction(async () => {
      started.open();
      await release.opened;
    });
    await started.opened;
    const failure = await db.transaction(() => db.get('SELECT 1 AS one')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    release.open();
    await busy;
    expect(await db.get<{ one: number }>('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  test('every pooled connection carries the server-side limits', async () => {
    const db = await open({ limits: { idleInTransactionMs: 4000, lockTimeoutMs: 3000, statementTimeoutMs: 20000 } });
    const row = await db.get<{ idle: string; lock: string; statement: string }>(
      "SELECT current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement",
    );
    expect(row).toEqual({ idle: '4s', lock: '3s', statement: '20s' });
    const defaults = await open();
    expect(await defaults.get("SELECT current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle")).toEqual({
      lock: '5s',
      idle: '5s',
    });
  });
});
