/**
 * The one place that decides which database the control plane runs on: today always the embedded
 * SQLite file in MANAGED_DATA_DIR. Server, CLI and tests open their database through here, so
 * choosing another engine (PostgreSQL from MANAGED_DATABASE_URL, issue 13) changes only this file.
 */
import type { ControlPlaneConfig } from '../config';
import type { SqlDatabase } from '../storage/sql-database';
import { openSqliteDatabase } from '../storage/sqlite/sqlite-database';

/** Opens the configured database and applies every pending migration. */
export function openConfiguredDatabase(config: Pick<ControlPlaneConfig, 'dataDir'>): Promise<SqlDatabase> {
  return openSqliteDatabase(config.dataDir);
}
