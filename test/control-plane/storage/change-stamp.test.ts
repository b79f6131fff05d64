/**
 * The change stamp and the cache built on it: a cache may only save work, never serve a row
 * older than the last write (storage/change-stamp.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StampedCache, cacheNeutralWrite, changeStamp, DATA_VERSION_CHECK_MS } from '../../../control-plane/src/storage/change-stamp';
import { Db, openDatabase } from '../../../control-plane/src/storage/database';

describe('change stamp', () => {
  let dataDir: string;
  let db: Db;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'managed-stamp-'));
    db = openDatabase(dataDir);
    db.exec('CREATE TABLE things (id TEXT PRIMARY KEY, value TEXT NOT NULL)');
  });
  afterEach(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("moves with this connection's writes at once, and with another connection's within the check interval", () => {
    let now = 0;
    const stamp = changeStamp(db, () => now);
    const first = stamp();
    expect(stamp()).toBe(first);
    db.prepare('INSERT INTO things VALUES (?, ?)').run('a', 'one');
    const afterOwnWrite = stamp();
    expect(afterOwnWrite).not.toBe(first);

    const other = openDatabase(dataDir);
    try {
      other.prepare('INSERT INTO things VALUES (?, ?)').run('b', 'two');
    } finally {
      other.close();
    }
    now += DATA_VERSION_CHECK_MS;
    expect(stamp()).not.toBe(afterOwnWrite);
  });

  test('rows written through cacheNeutralWrite leave the stamp where it was; any other row still moves it', () => {
    const stamp = changeStamp(db);
    const insert = db.prepare('INSERT INTO things VALUES (?, ?)');
    const first = stamp();
    cacheNeutralWrite(db, () => db.transaction(() => (insert.run('a', 'one'), insert.run('b', 'two')))());
    expect(stamp()).toBe(first);
    // Nested neutral writes are counted once (counting twice would let the stamp repeat an old value).
    cacheNeutralWrite(db, () => cacheNeutralWrite(db, () => insert.run('c', 'three')));
    expect(stamp()).toBe(first);
    // Only the rows written inside the callback are exempt, not the rest of the transaction.
    db.transaction(() => {
      cacheNeutralWrite(db, () => insert.run('d', 'four'));
      insert.run('e', 'five');
    })();
    const afterOrdinaryRow = stamp();
    expect(afterOrdinaryRow).not.toBe(first);
    expect(changeStamp(db)()).toBe(afterOrdinaryRow); // one tally per connection, shared by every stamp
  });

  test('a cache-neutral write that fails is not exempt: the stamp moves', () => {
    const stamp = changeStamp(db);
    const insert = db.prepare('INSERT INTO things VALUES (?, ?)');
    const first = stamp();
    expect(() =>
      cacheNeutralWrite(db, () => {
        insert.run('a', 'one');
        insert.run('a', 'duplicate');
      }),
    ).toThrow(/UNIQUE/);
    expect(stamp()).not.toBe(first);
  });

  test('StampedCache loads each key once per stamp, remembers misses, and forgets everything after a write', () => {
    const select = db.prepare<[string], { value: string }>('SELECT value FROM things WHERE id = ?');
    const loaded: string[] = [];
    const cache = new StampedCache(changeStamp(db), (id) => {
      loaded.push(id);
      return select.get(id)?.value;
    });
    db.prepare('INSERT INTO things VALUES (?, ?)').run('a', 'one');

    expect(cache.get('a')).toBe('one');
    expect(cache.get('a')).toBe('one');
    expect(cache.get('missing')).toBeUndefined();
    expect(cache.get('missing')).toBeUndefined();
    expect(loaded).toEqual(['a', 'missing']);

    db.prepare('UPDATE things SET value = ? WHERE id = ?').run('changed', 'a');
    db.prepare('INSERT INTO things VALUES (?, ?)').run('missing', 'now here');
    expect(cache.get('a')).toBe('changed');
    expect(cache.get('missing')).toBe('now here');
    expect(loaded).toEqual(['a', 'missing', 'a', 'missing']);
  });

  test('StampedCache stays within its bound', () => {
    const loaded: string[] = [];
    const cache = new StampedCache(
      changeStamp(db),
      (id) => {
        loaded.push(id);
        return id.toUpperCase();
      },
      2,
    );
    for (const id of ['a', 'b', 'c', 'a']) expect(cache.get(id)).toBe(id.toUpperCase());
    // Filling the third entry emptied the cache, so "a" was loaded again.
    expect(loaded).toEqual(['a', 'b', 'c', 'a']);
  });
});
