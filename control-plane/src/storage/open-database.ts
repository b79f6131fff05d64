/**
 * The one place that decides which database the control plane runs on; server, CLI and tests
 * open their database through here. MANAGED_DATABASE_URL names a PostgreSQL database that any
 * number of replicas share; without it, the embedded SQLite file in MANAGED_DATA_DIR. Either comes
 * back migrated: processes or replicas starting together take turns on each migration
 * (storage/migrate.ts).
 */
import { describeDatabaseUrl, type ControlPlaneConfig } from '../config';
import { migrated } from './migrate';
import { PostgresDatabase } from './postgres/postgres-database';
import type { SqlDatabase } from './sql-database';
import { openSqliteDatabase } from './sqlite/sqlite-database';

export type DatabaseConfig = Pick<ControlPlaneConfig, 'dataDir' | 'databaseUrl' | 'databasePoolSize'>;

export interface OpenDatabaseOptions {
  /**
   * Where errors no request waits for go (PostgreSQL: a lost idle connection, the change listener
   * reconnecting). Default: one line on stderr, so an operator sees a flapping connection.
   */
  readonly onBackgroundError?: (error: Error) => void;
}

const reportOnStderr = (error: Error) => void process.stderr.write(`database connection: ${error.message}\n`);

export async function openConfiguredDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<SqlDatabase> {
  if (config.databaseUrl === undefined) return openSqliteDatabase(config.dataDir);
  return openPostgresDatabase(config.databaseUrl, config.databasePoolSize, options);
}

/** PostgreSQL at `url`, migrated. */
export async function openPostgresDatabase(url: string, poolSize: number, options: OpenDatabaseOptions = {}): Promise<PostgresDatabase> {
  let db: PostgresDatabase;
  try {
    db = await PostgresDatabase.open(url, { poolSize, onBackgroundError: options.onBackgroundError ?? reportOnStderr });
  } catch (error) {
    // The driver's own words ("Connection terminated unexpectedly", "ECONNREFUSED") do not say
    // which database it tried: name it, without the user or password.
    throw new Error(`cannot connect to PostgreSQL at ${describeDatabaseUrl(url)} (MANAGED_DATABASE_URL): ${(error as Error).message}`, { cause: error });
  }
  return migrated(db);
}
