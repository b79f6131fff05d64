/**
 * The change stamp on PostgreSQL (storage/postgres/change-notifications.ts): this replica's writes
 * move it at commit, another replica's soon after (LISTEN/NOTIFY), cache-neutral writes not at all,
 * and a lost listener makes every cache start over until it is back.
 */
import { TRUSTED_SILENCE_MS } from '../../../../control-plane/src/storage/postgres/change-notifications';
import { PostgresDatabase } from '../../../../control-plane/src/storage/postgres/postgres-database';
import { startFreezableTcpProxy } from '../../../support/freezable-tcp-proxy';
import { adminQuery, createTestDatabase, type TestDatabase } from '../../../support/postgres';
import { eventually } from '../../../support/eventually';

describe('PostgreSQL change stamp', () => {
  let database: TestDatabase;
  let replicaA: PostgresDatabase;
  let replicaB: PostgresDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
    replicaA = await PostgresDatabase.open(database.url, { poolSize: 3 });
    replicaB = await PostgresDatabase.open(database.url, { poolSize: 3 });
    await replicaA.exec('CREATE TABLE things (id TEXT PRIMARY KEY, value TEXT)');
    await replicaA.run('INSERT INTO things (id, value) VALUES (?, ?)', ['seed', 'x']);
    // Let the DDL's and the seed's notifications reach B before a test reads its first stamp.
    await settle(replicaB);
  });
  afterEach(async () => {
    await replicaA.close();
    await replicaB.close();
    await database.drop();
  });

  test("moves at once with this replica's own commit, and not for reads or writes that changed nothing", async () => {
    const first = replicaA.changeStamp();
    await replicaA.get('SELECT * FROM things');
    await replicaA.run('UPDATE things SET value = ? WHERE id = ?', ['y', 'none']);
    expect(replicaA.changeStamp()).toBe(first);

    await replicaA.run('UPDATE things SET value = ? WHERE id = ?', ['y', 'seed']);
    const afterWrite = replicaA.changeStamp();
    expect(afterWrite).not.toBe(first);

    // Inside a transaction: only once it has committed.
    let insideStamp = Number.NaN;
    await replicaA.transaction(async () => {
      await replicaA.run('INSERT INTO things (id) VALUES (?)', ['a']);
      insideStamp = replicaA.changeStamp();
    });
    expect(insideStamp).toBe(afterWrite);
    expect(replicaA.changeStamp()).not.toBe(afterWrite);
  });

  test("moves on another replica's committed write, and not on its uncommitted one", async () => {
    const before = replicaB.changeStamp();
    let releaseWriter!: () => void;
    const writerMayCommit = new Promise<void>((resolve) => (releaseWriter = resolve));
    let written!: () => void;
    const rowWritten = new Promise<void>((resolve) => (written = resolve));
    const writer = replicaA.transaction(async () => {
      await replicaA.run('UPDATE things SET value = ? WHERE id = ?', ['z', 'seed']);
      written();
      await writerMayCommit;
    });
    await rowWritten;
    // Not committed: B has heard nothing (a round trip through the server first, so a wrongly
    // early notification would have had its chance to arrive).
    await replicaB.get('SELECT pg_sleep(0.05)');
    expect(replicaB.changeStamp()).toBe(before);
    releaseWriter();
    await writer;
    await eventually(() => replicaB.changeStamp() !== before, "B's stamp to move after A's commit");
  });

  test('cacheNeutral writes move no stamp, here or elsewhere; a failing one does', async () => {
    const beforeA = replicaA.changeStamp();
    const beforeB = replicaB.changeStamp();
    await replicaA.cacheNeutral(async () => {
      await replicaA.run('INSERT INTO things (id) VALUES (?)', ['audit-1']);
      await replicaA.transaction(async () => {
        await replicaA.run('INSERT INTO things (id) VALUES (?)', ['audit-2']);
      });
    });
    await replicaA.transaction(async () => {
      await replicaA.cacheNeutral(async () => replicaA.run('INSERT INTO things (id) VALUES (?)', ['audit-3']));
    });
    expect(replicaA.changeStamp()).toBe(beforeA);
    await settle(replicaB);
    expect(replicaB.changeStamp()).toBe(beforeB);

    // Concurrent requests interleave on one process: a neutral scope open in one request does not
    // cover another request's write.
    let endNeutral!: () => void;
    const neutralMayEnd = new Promise<void>((resolve) => (endNeutral = resolve));
    const openNeutralScope = replicaA.cacheNeutral(() => neutralMayEnd);
    await replicaA.run('UPDATE things SET value = ? WHERE id = ?', ['w', 'seed']);
    endNeutral();
    await openNeutralScope;
    expect(replicaA.changeStamp()).not.toBe(beforeA);
    await eventually(() => replicaB.changeStamp() !== beforeB, "B's stamp to move after A's ordinary write");

    const beforeFailure = replicaA.changeStamp();
    await replicaA
      .cacheNeutral(async () => {
        await replicaA.run('INSERT INTO things (id) VALUES (?)', ['audit-4']);
        await replicaA.run('INSERT INTO things (id) VALUES (?)', ['audit-4']);
      })
      .catch(() => undefined);
    expect(replicaA.changeStamp()).not.toBe(beforeFailure);
  });

  test('a lost listener moves the stamp on every read until LISTEN is back; then notifications arrive again', async () => {
    const pid = replicaB.listenerProcessId;
    expect(pid).toEqual(expect.any(Number));
    // Keep the listener out for a while: the database refuses new connections (pooled ones stay).
    await adminQuery(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS false`);
    try {
      await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
      await eventually(() => !replicaB.listening, 'B to notice that its listener was terminated');
      const whileDown = new Set<number>();
      for (let read = 0; read < 5; read += 1) whileDown.add(replicaB.changeStamp());
      expect(whileDown.size).toBe(5);
      // Let a reconnection attempt or two fail: still down, still moving.
      await replicaB.get('SELECT pg_sleep(0.2)');
      expect(replicaB.listening).toBe(false);
      expect(replicaB.changeStamp()).not.toBe(replicaB.changeStamp());
    } finally {
      await adminQuery(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS true`);
    }
    await eventually(() => replicaB.listening, "B's listener to reconnect");
    expect(replicaB.listenerProcessId).not.toBe(pid);
    const reconnected = replicaB.changeStamp();
    expect(replicaB.changeStamp()).toBe(reconnected); // still again once it listens
    await replicaA.run('UPDATE things SET value = ? WHERE id = ?', ['v', 'seed']);
    await eventually(() => replicaB.changeStamp() !== reconnected, "B's stamp to move on A's write after the reconnect");
  });

  test('a listener that silently stops answering is distrusted within moments, then replaced', async () => {
    const proxy = await startFreezableTcpProxy(Number(new URL(database.url).port));
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    const replicaC = await PostgresDatabase.open(viaProxy.toString(), { poolSize: 1 });
    try {
      expect(replicaC.listening).toBe(true);
      const before = replicaC.changeStamp();
      expect(replicaC.changeStamp()).toBe(before);
      // No error, no end: only silence. Within a heartbeat or two C must stop trusting its caches.
      proxy.freeze();
      await eventually(() => replicaC.changeStamp() !== replicaC.changeStamp(), 'C to distrust its silent listener');
      expect(replicaC.listening).toBe(false);
      proxy.thaw(); // the frozen connections are cut; new ones pass
      await eventually(() => replicaC.listening, 'C to listen again');
      const reconnected = replicaC.changeStamp();
      // Heartbeats keep a healthy listener trusted: longer than the trusted silence, nothing moves.
      await replicaC.get('SELECT pg_sleep(?::float8)', [(TRUSTED_SILENCE_MS + 500) / 1000]);
      expect(replicaC.listening).toBe(true);
      expect(replicaC.changeStamp()).toBe(reconnected);
      await replicaA.run('UPDATE things SET value = ? WHERE id = ?', ['u', 'seed']);
      await eventually(() => replicaC.changeStamp() !== reconnected, "C's stamp to move on A's write after it listens again");
    } finally {
      await proxy.close();
      await replicaC.close();
    }
  });
});

/** Waits until B's stamp has stopped moving for a moment, so earlier notifications are all in. */
async function settle(replica: PostgresDatabase): Promise<void> {
  let last = replica.changeStamp();
  for (;;) {
    await replica.get('SELECT pg_sleep(0.05)');
    const now = replica.changeStamp();
    if (now === last) return;
    last = now;
  }
}
