import type { Migration } from '../migrate';

/**
 * Writes made behind the control plane's back (an operator revoking a key with psql, a repair
 * script) must reach every replica's caches as the control plane's own writes do. The control
 * plane's own transactions already NOTIFY `managed_changes` with their sender id
 * (storage/postgres/change-notifications.ts); a statement from any other session does not, so a
 * replica that had the key cached kept accepting it until some unrelated write moved its stamp.
 *
 * These statement-level triggers send the same notification (empty payload: no sender, so every
 * replica moves its stamp) for changes to the tables the authenticator and tree caches read. They
 * stay silent for the control plane's own pool connections (application_name
 * 'managed-control-plane', POOL_APPLICATION_NAME), which notify at commit already and mark their
 * cache-neutral writes (mints, last-used) as such; so the request path gains no notifications.
 * Inserted keys and secrets are not cached before they exist, so INSERT on those two tables stays
 * notification-free; a new membership or project changes what a cached key may reach, so it is
 * not. Like the control plane's own, the notification is delivered only when the transaction
 * commits.
 *
 * SQLite needs none: every process there reads the file's data_version, which any writer moves.
 */
const CACHED_TABLES: ReadonlyArray<readonly [table: string, events: string]> = [
  ['api_keys', 'UPDATE OR DELETE OR TRUNCATE'],
  ['key_secrets', 'UPDATE OR DELETE OR TRUNCATE'],
  ['accounts', 'UPDATE OR DELETE OR TRUNCATE'],
  ['principals', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
  ['teams', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
  ['team_members', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
  ['projects', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
  ['sites', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
];

export const migration: Migration = {
  version: 60,
  name: 'notify_outside_writes',
  sqlite: `-- nothing to do: SQLite processes notice each other's writes through PRAGMA data_version`,
  postgres: `
    CREATE FUNCTION managed_notify_outside_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('application_name', true) IS DISTINCT FROM 'managed-control-plane' THEN
        PERFORM pg_notify('managed_changes', '');
      END IF;
      RETURN NULL;
    END;
    $$;
${CACHED_TABLES.map(
  ([table, events]) =>
    `    CREATE TRIGGER ${table}_notify_outside_write AFTER ${events} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION managed_notify_outside_write();`,
).join('\n')}
  `,
};
