/**
 * Opens the embedded SQLite database: WAL so the operator CLI can write while the server runs,
 * foreign keys on, and a busy timeout so a writer waits for the other process instead of failing.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations } from './migrate';

export type Db = Database.Database;

export const DATABASE_FILE_NAME = 'managed.sqlite';

export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE_NAME);
}

export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(databasePath(dataDir));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // NORMAL is durable across application crashes in WAL mode and avoids an fsync per commit.
  db.pragma('synchronous = NORMAL');
  // 32 MiB of page cache (default 2 MiB): minting inserts at random places in several indexes
  // (random ids, secret hashes), and re-reading evicted pages showed up in every mint.
  db.pragma('cache_size = -32768');
  applyMigrations(db);
  return db;
}
