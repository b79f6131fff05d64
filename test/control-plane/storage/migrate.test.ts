import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations, loadMigrations } from '../../../control-plane/src/storage/migrate';
import { openDatabase } from '../../../control-plane/src/storage/database';

describe('migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'managed-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Parallel branches are given disjoint ranges of numbers, so there are gaps; the order is what counts.
  test('the real migrations start at 1, are strictly increasing, and apply once', () => {
    const migrations = loadMigrations();
    const versions = migrations.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    const db = openDatabase(dir);
    try {
      const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>;
      expect(applied.map((row) => row.version)).toEqual(migrations.map((m) => m.version));
      expect(applyMigrations(db)).toEqual([]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  test('a failing migration rolls back with its version unrecorded', () => {
    const db = new Database(join(dir, 'test.sqlite'));
    try {
      const migrations = [
        { version: 1, name: 'one', sqlite: 'CREATE TABLE one (id INTEGER)', postgres: 'CREATE TABLE one (id BIGINT)' },
        { version: 2, name: 'broken', sqlite: 'CREATE TABLE two (id INTEGER); THIS IS NOT SQL', postgres: 'CREATE TABLE two (id BIGINT); THIS IS NOT SQL' },
      ];
      expect(() => applyMigrations(db, migrations)).toThrow();
      const versions = (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version);
      expect(versions).toEqual([1]);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'two'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });

  test('migration files must declare the version their name says', () => {
    const folder = join(dir, 'migrations');
    mkdirSync(folder);
    writeFileSync(join(folder, '0001_first.js'), "exports.migration = { version: 2, name: 'first', sqlite: '', postgres: '' };");
    expect(() => loadMigrations(folder)).toThrow(/declares version 2/);
  });
});
