import type { Migration } from '../migrate';

/**
 * Dashboard sessions: a browser signs in with an API key once and then carries only an opaque
 * session cookie. A row stores the HMAC of the session token (never the token), the key it
 * authenticates as, and the HMAC of the very secret that signed in — the same value key_secrets
 * already holds — so a session authenticates through exactly the path a bearer request takes and
 * dies with that secret (rotation grace included).
 *
 * The trigger ends every session of a key in the same statement that revokes the key, whichever
 * code path revokes it (API, CLI, provider destroy).
 */
export const migration: Migration = {
  version: 40,
  name: 'dashboard_sessions',
  sqlite: `
    CREATE TABLE dashboard_sessions (
      token_hash  BLOB PRIMARY KEY,
      key_id      TEXT NOT NULL REFERENCES api_keys(id),
      secret_hash BLOB NOT NULL,
      created_at  INTEGER NOT NULL,
      expires_at  INTEGER NOT NULL,
      revoked_at  INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX dashboard_sessions_by_key ON dashboard_sessions(key_id);

    CREATE TRIGGER dashboard_sessions_end_with_key
    AFTER UPDATE OF revoked_at ON api_keys
    WHEN NEW.revoked_at IS NOT NULL
    BEGIN
      UPDATE dashboard_sessions SET revoked_at = NEW.revoked_at WHERE key_id = NEW.id AND revoked_at IS NULL;
    END;
  `,
  // PostgreSQL triggers call a function; the behaviour is the SQLite trigger's.
  postgres: `
    CREATE TABLE dashboard_sessions (
      token_hash  BYTEA PRIMARY KEY,
      key_id      TEXT NOT NULL REFERENCES api_keys(id),
      secret_hash BYTEA NOT NULL,
      created_at  BIGINT NOT NULL,
      expires_at  BIGINT NOT NULL,
      revoked_at  BIGINT
    );
    CREATE INDEX dashboard_sessions_by_key ON dashboard_sessions(key_id);

    CREATE FUNCTION dashboard_sessions_end_with_key() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE dashboard_sessions SET revoked_at = NEW.revoked_at WHERE key_id = NEW.id AND revoked_at IS NULL;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER dashboard_sessions_end_with_key
    AFTER UPDATE OF revoked_at ON api_keys
    FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION dashboard_sessions_end_with_key();
  `,
};
