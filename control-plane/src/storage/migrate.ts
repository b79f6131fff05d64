/**
 * Versioned migrations, applied in order at every start (server and CLI).
 *
 * Convention: every file in storage/migrations/ named `NNNN_description.ts` (four digits, the
 * version) exports `migration: Migration`. Files are discovered from the folder, so adding a
 * migration means adding one file and touching nothing else. Each migration runs in its own
 * transaction together with its row in `schema_migrations`; a version once applied never runs again.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Db } from './database';
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

export function loadMigrations(folder: string = join(__dirname, 'migrations')): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(folder).sort()) {
    const match = MIGRATION_FILE.exec(file);
    if (!match || file.endsWith('.d.ts')) continue;
    // Discovered at run time, so loaded by path; synchronous because opening the database is.
    const loaded = loadModule(join(folder, file)) as { migration?: Migration };
    const migration = loaded.migration;
    if (!migration) throw new Error(`migration file ${file} does not export "migration"`);
    if (migration.version !== Number(match[1])) {
      throw new Error(`migration file ${file} declares version ${migration.version}; the file name says ${Number(match[1])}`);
    }
    migrations.push(migration);
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error(`duplicate migration versions: ${versions.join(', ')}`);
  return migrations;
}

export function applyMigrations(db: Db, migrations: readonly Migration[] = loadMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied: number[] = [];
  for (const migration of migrations) {
    // BEGIN IMMEDIATE takes the write lock first, so a server and a CLI starting together
    // cannot both decide a version is missing and apply it twice.
    const run = db.transaction(() => {
      const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
      if (done) return false;
      db.exec(migration.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
      return true;
    });
    if (run.immediate()) applied.push(migration.version);
  }
  return applied;
}

/** Versions the code knows but the database has not applied (empty when it is up to date). */
export function pendingMigrations(db: Db, known: readonly number[]): number[] {
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((row) => row.version),
  );
  return known.filter((version) => !applied.has(version));
}

/** Held by whoever applies migrations to a shared database (applyMigrationsTo). */
export const MIGRATION_LOCK = 'schema-migrations';

/** Portable: both engines accept it (PostgreSQL's INTEGER is 32 bits). */
const CREATE_SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    BIGINT PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/**
 * The migrations on any SqlDatabase, for the engine it runs (PostgreSQL, shared by replicas that
 * start together): each migration in its own transaction under the lock `schema-migrations`, so
 * replicas take turns and the later ones find each version recorded and skip it. Returns the
 * versions this call applied.
 */
export async function applyMigrationsTo(db: SqlDatabase, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  // Under the lock too: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent one.
  await db.transaction(async () => {
    await db.lock(MIGRATION_LOCK);
    await db.exec(CREATE_SCHEMA_MIGRATIONS);
  });
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async () => {
      await db.lock(MIGRATION_LOCK);
      if (await db.get('SELECT 1 AS done FROM schema_migrations WHERE version = ?', [migration.version])) return false;
      await db.exec(migration[db.engine]);
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, new Date().toISOString()]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
