/**
 * Versioned migrations, applied in order at every start (server and CLI, every replica).
 *
 * Convention: every file in storage/migrations/ named `NNNN_description.ts` (four digits, the
 * version) exports `migration: Migration`, with the same change written once for each engine.
 * Files are discovered from the folder, so adding a migration means adding one file and touching
 * nothing else. Each migration runs in its own transaction together with its row in
 * `schema_migrations`, under the lock `schema-migrations`: processes or replicas starting together
 * take turns, and the one that comes second finds the version recorded and skips it, so a version
 * is applied exactly once.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SqlDatabase } from './sql-database';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The SQL text for each engine; `postgresDdl(sqlite)` where only column types differ. */
  readonly sqlite: string;
  readonly postgres: string;
}

const loadModule = createRequire(__filename);

const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.(?:ts|js)$/;

/** Held by whoever applies migrations; see the header. */
export const MIGRATION_LOCK = 'schema-migrations';

export function loadMigrations(folder: string = join(__dirname, 'migrations')): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(folder).sort()) {
    const match = MIGRATION_FILE.exec(file);
    if (!match || file.endsWith('.d.ts')) continue;
    // Discovered at run time, so loaded by path.
    const loaded = loadModule(join(folder, file)) as { migration?: Migration };
    const migration = loaded.migration;
    if (!migration) throw new Error(`migration file ${file} does not export "migration"`);
    if (migration.version !== Number(match[1])) {
      throw new Error(`migration file ${file} declares version ${migration.version}; the file name says ${Number(match[1])}`);
    }
    for (const engine of ['sqlite', 'postgres'] as const) {
      if (typeof migration[engine] !== 'string') throw new Error(`migration file ${file} has no "${engine}" SQL`);
    }
    migrations.push(migration);
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error(`duplicate migration versions: ${versions.join(', ')}`);
  return migrations;
}

/** Portable: both engines accept it (PostgreSQL has no INTEGER wide enough for every version). */
const CREATE_SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    BIGINT PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Applies the migrations `db` has not applied yet, in order; returns the versions it applied. */
export async function applyMigrations(db: SqlDatabase, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  // Under the lock too: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent one.
  await db.transaction(
    async () => {
      await db.lock(MIGRATION_LOCK);
      await db.exec(CREATE_SCHEMA_MIGRATIONS);
    },
    { unbounded: true },
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(
      async () => {
        await db.lock(MIGRATION_LOCK);
        if (await db.get('SELECT 1 AS done FROM schema_migrations WHERE version = ?', [migration.version])) return false;
        await db.exec(migration[db.engine]);
        await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
        return true;
      },
      { unbounded: true },
    );
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** Versions the code knows but the database has not applied (empty when it is up to date). */
export async function pendingMigrations(db: SqlDatabase, known: readonly number[]): Promise<number[]> {
  const rows = await db.all<{ version: number | string }>('SELECT version FROM schema_migrations');
  // Number(): a BIGINT may come back as text from a driver that does not map it.
  const applied = new Set(rows.map((row) => Number(row.version)));
  return known.filter((version) => !applied.has(version));
}

/** `db` with every pending migration applied; closed again when one fails, so a failed start keeps no connection open. */
export async function migrated<Database extends SqlDatabase>(db: Database): Promise<Database> {
  try {
    await applyMigrations(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
