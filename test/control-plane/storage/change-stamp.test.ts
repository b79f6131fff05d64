/**
 * The cache built on the change stamp: it may only save work, never serve a row older than the
 * last write (storage/change-stamp.ts). The stamp itself is tested with its engine
 * (sqlite-database.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StampedCache, stampOf } from '../../../control-plane/src/storage/change-stamp';
import { SqliteDatabase, openSqliteDatabase } from '../../../control-plane/src/storage/sqlite/sqlite-database';

describe('StampedCache', () => {
  let dataDir: string;
  let db: SqliteDatabase;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'managed-stamp-'));
    db = await openSqliteDatabase(dataDir);
    await db.exec('CREATE TABLE things (id TEXT PRIMARY KEY, value TEXT NOT NULL)');
  });
  afterEach(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('loads each key once per stamp, remembers misses, and forgets everything after a write', async () => {
    const loaded: string[] = [];
    const cache = new StampedCache(stampOf(db), async (id) => {
      loaded.push(id);
      return (await db.get<{ value: string }>('SELECT value FROM things WHERE id = ?', [id]))?.value;
    });
    await db.run('INSERT INTO things VALUES (?, ?)', ['a', 'one']);

    expect(await cache.get('a')).toBe('one');
    expect(await cache.get('a')).toBe('one');
    expect(await cache.get('missing')).toBeUndefined();
    expect(await cache.get('missing')).toBeUndefined();
    expect(loaded).toEqual(['a', 'missing']);
    // A hit hands out the stored promise itself: nothing is allocated for it.
    expect(cache.get('a')).toBe(cache.get('a'));

    await db.run('UPDATE things SET value = ? WHERE id = ?', ['changed', 'a']);
    await db.run('INSERT INTO things VALUES (?, ?)', ['missing', 'now here']);
    expect(await cache.get('a')).toBe('changed');
    expect(await cache.get('missing')).toBe('now here');
    expect(loaded).toEqual(['a', 'missing', 'a', 'missing']);
  });

  test('concurrent lookups of one key share one load', async () => {
    let loads = 0;
    const cache = new StampedCache(stampOf(db), async (id) => {
      loads += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return id.toUpperCase();
    });
    expect(await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')])).toEqual(['A', 'A', 'A']);
    expect(loads).toBe(1);
  });

  test('a value loaded while the stamp moved is handed out but not kept', async () => {
    await db.run('INSERT INTO things VALUES (?, ?)', ['a', 'old']);
    const loaded: string[] = [];
    const cache = new StampedCache(stampOf(db), async (id) => {
      const value = (await db.get<{ value: string }>('SELECT value FROM things WHERE id = ?', [id]))!.value;
      loaded.push(value);
      // A write lands after the row was read and before the load settles.
      if (value === 'old') await db.run('UPDATE things SET value = ? WHERE id = ?', ['new', id]);
      return value;
    });
    expect(await cache.get('a')).toBe('old');
    expect(await cache.get('a')).toBe('new');
    expect(loaded).toEqual(['old', 'new']);
  });

  test('a load that fails is not kept', async () => {
    let calls = 0;
    const cache = new StampedCache(stampOf(db), async (id) => {
      calls += 1;
      if (calls === 1) throw new Error('first load fails');
      return id;
    });
    await expect(cache.get('a')).rejects.toThrow('first load fails');
    expect(await cache.get('a')).toBe('a');
  });

  test('stays within its bound', async () => {
    const loaded: string[] = [];
    const cache = new StampedCache(
      stampOf(db),
      async (id) => {
        loaded.push(id);
        return id.toUpperCase();
      },
      2,
    );
    for (const id of ['a', 'b', 'c', 'a']) expect(await cache.get(id)).toBe(id.toUpperCase());
    // Filling the third entry emptied the cache, so "a" was loaded again.
    expect(loaded).toEqual(['a', 'b', 'c', 'a']);
  });
});
