/**
 * The embedded SQLite database's file and how it is opened: WAL so the operator CLI can write while
 * the server runs, foreign keys on, and a busy timeout so a writer waits for the other process
 * instead of failing.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export const DATABASE_FILE_NAME = 'managed.sqlite';

export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE_NAME);
}

/** Only the server's user may read keys' hashes, the audit log or the pepper, whatever the umask. */
export const DATA_DIRECTORY_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/**
 * The data directory 0700 and the database files 0600, whatever the umask. The database file is
 * created here, before SQLite opens it, because SQLite gives the -wal and -shm files it creates
 * later the database file's own mode; files left by an older version are narrowed too.
 */
export function restrictDataDirectory(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIRECTORY_MODE });
  chmodSync(dataDir, DATA_DIRECTORY_MODE); // mkdir's mode passes through the umask, and an existing directory keeps its own
  const path = databasePath(dataDir);
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, DATA_FILE_MODE);
  }
}

/** One better-sqlite3 connection to the data directory's database, with the server's pragmas. */
export function openSqliteConnection(dataDir: string): Database.Database {
  restrictDataDirectory(dataDir);
  const connection = new Database(databasePath(dataDir));
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // NORMAL is durable across application crashes in WAL mode and avoids an fsync per commit.
  connection.pragma('synchronous = NORMAL');
  // 32 MiB of page cache (default 2 MiB): minting inserts at random places in several indexes
  // (random ids, secret hashes), and re-reading evicted pages showed up in every mint.
  connection.pragma('cache_size = -32768');
  // Every change runs in a savepoint inside the group-commit transaction (SqliteDatabase), and
  // SQLite keeps a savepoint's undo copies of the pages it touches in a statement journal: in a
  // temporary file by default, which cost two write syscalls per page and about a sixth of a
  // mint's CPU time. In memory it is a copy. Crash safety does not depend on it (the WAL does
  // that); temporary tables and sorts of large results live in memory too.
  connection.pragma('temp_store = MEMORY');
  return connection;
}
