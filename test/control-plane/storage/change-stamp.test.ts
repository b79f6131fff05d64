/**
 * The change stamp and the cache built on it: a cache may only save work, never serve a row
 * older than the last write (storage/change-stamp.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StampedCache, changeStamp, DATA_VERSION_CHECK_MS } from '../../../control-plane/src/storage/change-stamp';
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
