import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { applyMigrations, loadMigrations, pendingMigrations } from '../../../control-plane/src/storage/migrate';
import { SqliteDatabase, openSqliteDatabase } from '../../../control-plane/src/storage/sqlite/sqlite-database';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');

describe('migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'managed-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Parallel branches are given disjoint ranges of numbers, so there are gaps; the order is what counts.
  test('the real migrations start at 1, are strictly increasing, and apply once', async () => {
    const migrations = loadMigrations();
    const versions = migrations.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    const db = await openSqliteDatabase(dir);
    try {
      const applied = await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(applied.map((row) => row.version)).toEqual(versions);
      expect(await applyMigrations(db)).toEqual([]);
      expect(await pendingMigrations(db, [...versions, 9999])).toEqual([9999]);
      expect(db.connection.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.connection.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      await db.close();
    }
  });

  test('a failing migration rolls back with its version unrecorded', async () => {
    const db = new SqliteDatabase(new Database(join(dir, 'test.sqlite')));
    try {
      const migrations = [
        { version: 1, name: 'one', sqlite: 'CREATE TABLE one (id INTEGER)', postgres: 'CREATE TABLE one (id BIGINT)' },
        { version: 2, name: 'broken', sqlite: 'CREATE TABLE two (id INTEGER); THIS IS NOT SQL', postgres: 'CREATE TABLE two (id BIGINT); THIS IS NOT SQL' },
      ];
      // (Matched by code: better-sqlite3's errors may come from another jest module registry's copy of its class.)
      await expect(applyMigrations(db, migrations)).rejects.toMatchObject({ code: 'SQLITE_ERROR', message: expect.stringMatching(/syntax error/) });
      const versions = (await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version);
      expect(versions).toEqual([1]);
      expect(await db.get("SELECT name FROM sqlite_master WHERE name = 'two'")).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  test('processes starting together apply each version exactly once', async () => {
    // Each process opens the same fresh data directory and prints the versions it applied itself.
    const script = `
      const { SqliteDatabase } = require(${JSON.stringify(join(ROOT, 'control-plane/src/storage/sqlite/sqlite-database'))});
      const { openSqliteConnection } = require(${JSON.stringify(join(ROOT, 'control-plane/src/storage/sqlite/sqlite-files'))});
      const { applyMigrations } = require(${JSON.stringify(join(ROOT, 'control-plane/src/storage/migrate'))});
      const db = new SqliteDatabase(openSqliteConnection(${JSON.stringify(dir)}));
      applyMigrations(db).then(async (applied) => { console.log(JSON.stringify(applied)); await db.close(); });
    `;
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const outputs = await Promise.all([1, 2, 3].map(() => run(tsx, ['-e', script], { cwd: ROOT })));
    const appliedByEach = outputs.map(({ stdout }) => JSON.parse(stdout.trim()) as number[]);
    const all = appliedByEach.flat().sort((a, b) => a - b);
    expect(all).toEqual(loadMigrations().map((m) => m.version));
  });

  test('migration files must declare the version their name says and carry SQL for both engines', () => {
    const folder = join(dir, 'migrations');
    mkdirSync(folder);
    writeFileSync(join(folder, '0001_first.js'), "exports.migration = { version: 2, name: 'first', sqlite: '', postgres: '' };");
    expect(() => loadMigrations(folder)).toThrow(/declares version 2/);
    const other = join(dir, 'other-migrations');
    mkdirSync(other);
    writeFileSync(join(other, '0001_first.js'), "exports.migration = { version: 1, name: 'first', sqlite: 'SELECT 1' };");
    expect(() => loadMigrations(other)).toThrow(/no "postgres" SQL/);
  });
});
