/**
 * Which database the control plane runs on, decided from its configuration in one place:
 * MANAGED_DATABASE_URL names a PostgreSQL database shared by every replica. The database comes
 * back migrated: replicas starting together take turns on each migration (applyMigrationsTo).
 */
import type { ControlPlaneConfig } from '../config';
import { applyMigrationsTo } from './migrate';
import { PostgresDatabase } from './postgres/postgres-database';

export type PostgresConfig = Pick<ControlPlaneConfig, 'databasePoolSize'> & { readonly databaseUrl: string };

export interface OpenDatabaseOptions {
  /** Where errors no request waits for go (a lost idle connection, the change listener reconnecting). */
  readonly onBackgroundError?: (error: Error) => void;
}

export async function openConfiguredDatabase(config: PostgresConfig, options: OpenDatabaseOptions = {}): Promise<PostgresDatabase> {
  const db = await PostgresDatabase.open(config.databaseUrl, { poolSize: config.databasePoolSize, onBackgroundError: options.onBackgroundError });
  try {
    await applyMigrationsTo(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
