/**
 * SqliteDatabase on a real file: async units take turns on the one connection, nested transactions
 * are savepoints, group commit settles after COMMIT, and the change stamp sees what it must.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { databasePath } from '../../../control-plane/src/storage/sqlite/sqlite-files';
import { DATA_VERSION_CHECK_MS, SqliteDatabase, openSqliteDatabase } from '../../../control-plane/src/storage/sqlite/sqlite-database';

/** A promise and the function that resolves it, to hold a unit open until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SqliteDatabase', () => {
  let dir: string;
  let db: SqliteDatabase;
  let now: number;
  /** A second connection to the same file: sees only what was committed. */
  let other: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-database-'));
    now = 0;
    db = await openSqliteDatabase(dir, { clock: () => now });
    await db.exec('CREATE TABLE things (id TEXT PRIMARY KEY, value TEXT NOT NULL)');
    other = new Database(databasePath(dir));
  });
  afterEach(async () => {
    other.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ids = async () => (await db.all<{ id: string }>('SELECT id FROM things ORDER BY id')).map((row) => row.id);
  const committedIds = () => (other.prepare('SELECT id FROM things ORDER BY id').all() as Array<{ id: string }>).map((row) => row.id);
  const insert = (id: string) => db.run('INSERT INTO things (id, value) VALUES (?, ?)', [id, `value of ${id}`]);

  test('a nested transaction is a savepoint: its throw undoes only its own rows', async () => {
    await db.transaction(async () => {
      await insert('a');
      await expect(
        db.transaction(async () => {
          await insert('b');
          expect(await ids()).toEqual(['a', 'b']);
          throw new Error('undo b');
        }),
      ).rejects.toThrow('undo b');
      await db.transaction(async () => {
        await insert('c');
        await expect(
          db.transaction(async () => {
            await insert('d');
            throw new Error('undo d');
          }),
        ).rejects.toThrow('undo d');
      });
      expect(db.inTransaction).toBe(true);
    });
    expect(db.inTransaction).toBe(false);
    expect(committedIds()).toEqual(['a', 'c']);
  });

  test('a throw in the outer transaction rolls back everything, savepoints released before included', async () => {
    await expect(
      db.transaction(async () => {
        await insert('a');
        await db.transaction(() => insert('b'));
        throw new Error('undo all');
      }),
    ).rejects.toThrow('undo all');
    expect(committedIds()).toEqual([]);
    expect(await ids()).toEqual([]);
  });

  test('concurrent units take turns: one never sees or splits the other, and a failing one rolls back alone', async () => {
    const events: string[] = [];
    const unit = (name: string, fail: boolean) =>
      db.transaction(async () => {
        events.push(`${name} begins`);
        await insert(`${name}1`);
        await nextTurn(); // a real wait: other units are started meanwhile
        await db.transaction(async () => {
          await insert(`${name}2`);
          await nextTurn();
        });
        events.push(`${name} ends`);
        if (fail) throw new Error(`${name} fails`);
      });
    const results = await Promise.allSettled([unit('a', false), unit('b', true), unit('c', false)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
    expect(committedIds()).toEqual(['a1', 'a2', 'c1', 'c2']);
  });

  test('nested transactions started together inside one unit take turns too', async () => {
    const events: string[] = [];
    await db.transaction(async () => {
      const child = (name: string, fail: boolean) =>
        db.transaction(async () => {
          events.push(`${name} begins`);
          await insert(name);
          await nextTurn();
          events.push(`${name} ends`);
          if (fail) throw new Error(`${name} fails`);
        });
      const results = await Promise.allSettled([child('x', true), child('y', false)]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    });
    expect(events).toEqual(['x begins', 'x ends', 'y begins', 'y ends']);
    expect(committedIds()).toEqual(['y']);
  });

  test('run() outside any transaction waits for the open unit and does not join it', async () => {
    const hold = gate();
    const unit = db.transaction(async () => {
      await insert('inside');
      await hold.opened;
      throw new Error('roll the unit back');
    });
    await nextTurn(); // the unit is open and waiting
    let outsideDone = false;
    const outside = insert('outside').then((result) => {
      outsideDone = true;
      return result;
    });
    await nextTurn();
    expect(outsideDone).toBe(false);
    // Reads never wait (and, on this one connection, see the open unit's rows).
    expect(await ids()).toEqual(['inside']);
    hold.open();
    await expect(unit).rejects.toThrow('roll the unit back');
    expect((await outside).changes).toBe(1);
    expect(committedIds()).toEqual(['outside']);
  });

  test('a call left running after its transaction ended is outside it, not inside the next unit', async () => {
    const hold = gate();
    let late: Promise<unknown> | undefined;
    await db.transaction(async () => {
      late = hold.opened.then(() => insert('late'));
    });
    const next = db.transaction(async () => {
      hold.open();
      await nextTurn();
      await insert('next');
      throw new Error('roll next back');
    });
    await expect(next).rejects.toThrow('roll next back');
    await late;
    expect(committedIds()).toEqual(['late']);
  });

  test('lock() belongs inside a transaction', async () => {
    await expect(db.lock('x')).rejects.toThrow(/outside a transaction/);
    await expect(db.transaction(() => db.lock('x'))).resolves.toBeUndefined();
  });

  describe('group commit', () => {
    test('the changes of one turn share one transaction; each settles only after COMMIT; a failing one rolls back alone', async () => {
      const seenByOthers: string[][] = [];
      const settledBeforeCommit: boolean[] = [];
      const change = (id: string, fail = false) =>
        db
          .transaction(
            async () => {
              await insert(id);
              seenByOthers.push(committedIds());
              if (fail) throw new Error(`${id} fails`);
              return id;
            },
            { groupCommit: true },
          )
          .then((value) => {
            // Settled: the COMMIT has happened, so another connection sees the row.
            settledBeforeCommit.push(!committedIds().includes(id));
            return value;
          });
      const results = await Promise.allSettled([change('a'), change('b', true), change('c')]);
      expect(results).toEqual([
        { status: 'fulfilled', value: 'a' },
        { status: 'rejected', reason: expect.objectContaining({ message: 'b fails' }) },
        { status: 'fulfilled', value: 'c' },
      ]);
      // While the batch was open nothing of it was committed (one transaction, not three).
      expect(seenByOthers).toEqual([[], [], []]);
      expect(settledBeforeCommit).toEqual([false, false]);
      expect(committedIds()).toEqual(['a', 'c']);
      expect(db.connection.inTransaction).toBe(false);
    });

    test('a failing COMMIT rejects every change of the batch', async () => {
      await db.exec(`CREATE TABLE parents (id TEXT PRIMARY KEY);
        CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)`);
      const good = db.transaction(() => insert('good'), { groupCommit: true });
      // Deferred: the missing parent is only noticed by COMMIT.
      const orphan = db.transaction(() => db.run("INSERT INTO children VALUES ('c', 'missing')"), { groupCommit: true });
      await expect(good).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
      await expect(orphan).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
      expect(committedIds()).toEqual([]);
      expect(db.connection.inTransaction).toBe(false);
      // The next batch starts afresh.
      await db.transaction(() => insert('after'), { groupCommit: true });
      expect(committedIds()).toEqual(['after']);
    });

    test('a batch SQLite rolled back by itself fails the changes it lost; the next change starts a new batch', async () => {
      const lost = db.transaction(() => insert('lost'), { groupCommit: true });
      await Promise.resolve();
      await Promise.resolve();
      // As after an I/O error: SQLite ends the transaction on its own, behind the batch's back.
      await db
        .transaction(
          async () => {
            db.connection.exec('ROLLBACK');
          },
          { groupCommit: true },
        )
        .catch(() => undefined);
      await expect(lost).rejects.toThrow(/rolled back by SQLite/);
      await expect(db.transaction(() => insert('kept'), { groupCommit: true })).resolves.toBeDefined();
      expect(committedIds()).toEqual(['kept']);
    });

    test('a transaction of its own commits the open batch first instead of joining it', async () => {
      const batched = db.transaction(() => insert('batched'), { groupCommit: true });
      const own = db.transaction(async () => {
        expect(committedIds()).toEqual(['batched']);
        await insert('own');
        throw new Error('roll own back');
      });
      await expect(own).rejects.toThrow('roll own back');
      await expect(batched).resolves.toBeDefined();
      expect(committedIds()).toEqual(['batched']);
    });

    test('inside an open transaction it is a plain savepoint, settled with its caller', async () => {
      await db.transaction(async () => {
        await db.transaction(() => insert('a'), { groupCommit: true });
        await expect(
          db.transaction(
            async () => {
              await insert('b');
              throw new Error('undo b');
            },
            { groupCommit: true },
          ),
        ).rejects.toThrow('undo b');
        expect(committedIds()).toEqual([]);
      });
      expect(committedIds()).toEqual(['a']);
    });

    test('close() commits the open batch', async () => {
      const pending = db.transaction(() => insert('a'), { groupCommit: true });
      await Promise.resolve();
      await db.close();
      await expect(pending).resolves.toBeDefined();
      expect(committedIds()).toEqual(['a']);
    });
  });

  describe('change stamp', () => {
    test("moves with this connection's writes at once, but not with cache-neutral ones", async () => {
      const first = db.changeStamp();
      expect(db.changeStamp()).toBe(first);
      await insert('a');
      const afterOwnWrite = db.changeStamp();
      expect(afterOwnWrite).not.toBe(first);

      await db.cacheNeutral(() => db.transaction(async () => (await insert('b'), await insert('c'))));
      expect(db.changeStamp()).toBe(afterOwnWrite);
      // Nested neutral writes are counted once (counting twice would let the stamp repeat an old value).
      await db.cacheNeutral(() => db.cacheNeutral(() => insert('d')));
      expect(db.changeStamp()).toBe(afterOwnWrite);
      // Group-committed neutral writes too, across the awaits of their unit.
      await Promise.all(['e', 'f'].map((id) => db.transaction(() => db.cacheNeutral(() => insert(id)), { groupCommit: true })));
      expect(db.changeStamp()).toBe(afterOwnWrite);

      // Only the rows written inside the callback are exempt, not the rest of the transaction.
      await db.transaction(async () => {
        await db.cacheNeutral(() => insert('g'));
        await insert('h');
      });
      expect(db.changeStamp()).not.toBe(afterOwnWrite);
    });

    test('a neutral write outside a transaction is a unit of its own, so a concurrent ordinary write still moves the stamp', async () => {
      const first = db.changeStamp();
      const hold = gate();
      const neutral = db.cacheNeutral(async () => {
        await insert('neutral');
        await hold.opened;
      });
      const ordinary = insert('ordinary'); // waits for the neutral unit instead of being tallied with it
      await nextTurn();
      hold.open();
      await Promise.all([neutral, ordinary]);
      expect(db.changeStamp()).not.toBe(first);
    });

    test('a cache-neutral write that fails is not exempt: the stamp moves', async () => {
      const first = db.changeStamp();
      await expect(
        db.cacheNeutral(async () => {
          await insert('a');
          await insert('a');
        }),
      ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
      expect(db.changeStamp()).not.toBe(first);
    });

    test("moves with another connection's commits once DATA_VERSION_CHECK_MS has passed", async () => {
      const first = db.changeStamp();
      other.prepare("INSERT INTO things VALUES ('from-other', 'x')").run();
      now += DATA_VERSION_CHECK_MS - 1;
      expect(db.changeStamp()).toBe(first); // not looked at yet: that is the cheap path
      now += 1;
      expect(db.changeStamp()).not.toBe(first);
    });
  });

  test('isUniqueViolation recognises SQLite unique and primary key failures only', async () => {
    await insert('a');
    const error = await insert('a').catch((e: unknown) => e);
    expect(db.isUniqueViolation(error)).toBe(true);
    const other = await db.run('INSERT INTO nowhere VALUES (1)').catch((e: unknown) => e);
    expect(db.isUniqueViolation(other)).toBe(false);
  });

  test('backupTo writes a checked copy and only then puts it in place', async () => {
    await insert('a');
    const target = join(dir, 'copy.sqlite');
    const result = await db.backupTo(target);
    expect(result.integrityCheck).toBe('ok');
    expect(result.pages).toBeGreaterThan(0);
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.prepare('SELECT id FROM things').all()).toEqual([{ id: 'a' }]);
    } finally {
      copy.close();
    }
  });
});
