/**
 * White-box looks at a test control plane's store from outside the server, the same on both
 * engines: statements on a connection of their own (an edit "behind the server's back", or a read
 * after it closed), the store's size, and everything it holds as text (to prove a secret is in none).
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { StorageEngine } from '../../control-plane/src/storage/sql-database';

export interface StoreLocation {
  readonly store: StorageEngine;
  readonly dataDir: string;
  /** The SQLite file (sqlite) … */
  readonly databasePath: string | undefined;
  /** … or the PostgreSQL database (postgres). */
  readonly databaseUrl: string | undefined;
}

type Param = string | number | null;

/** `?` placeholders, numbered for PostgreSQL ($1, $2, …). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
};

async function withPostgres<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement (`?` parameters, SQL both engines accept) on a connection of its own; returns its rows. */
export async function queryOutside<Row>(location: StoreLocation, sql: string, params: readonly Param[] = []): Promise<Row[]> {
  if (location.store === 'postgres') {
    return withPostgres(location.databaseUrl!, async (client) => (await client.query(numbered(sql), [...params])).rows as Row[]);
  }
  const db = new Database(location.databasePath!);
  try {
    const statement = db.prepare(sql);
    return statement.reader ? (statement.all(...params) as Row[]) : (statement.run(...params), []);
  } finally {
    db.close();
  }
}

function directorySize(dir: string): number {
  return readdirSync(dir).reduce((total, name) => total + statSync(join(dir, name)).size, 0);
}

/** Bytes the store occupies: the data directory's files (SQLite, WAL included) or the database (PostgreSQL) */
export async function storedSize(location: StoreLocation): Promise<number> {
  if (location.store === 'sqlite') return directorySize(location.dataDir);
  const [row] = await queryOutside<{ size: string }>(location, 'SELECT pg_database_size(current_database()) AS size');
  return Number(row.size) + directorySize(location.dataDir);
}

/**
 * Everything the store holds, as text: each file of the data directory (SQLite's database, WAL,
 * pepper …) and, on PostgreSQL, every row of every table (binary columns appear in hex, as stored).
 * `bootstrap-owner-key` holds the owner key by design (docs/guides/configuration.md) and is left out.
 */
export async function storedTexts(location: StoreLocation): Promise<string[]> {
  const files = readdirSync(location.dataDir)
    .filter((name) => name !== 'bootstrap-owner-key')
    .map((name) => readFileSync(join(location.dataDir, name)).toString('latin1'));
  if (location.store === 'sqlite') return files;
  return withPostgres(location.databaseUrl!, async (client) => {
    const tables = (await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")).rows;
    const texts = [...files];
    for (const { name } of tables) {
      const rows = (await client.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`)).rows;
      texts.push(`${name}\n${rows.map((r) => r.row).join('\n')}`);
    }
    return texts;
  });
}
