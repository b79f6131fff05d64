import type { Migration } from '../migrate';
import { postgresDdl } from './postgres-ddl';

/**
 * Accounts, principals, API keys and their secrets, idempotency records, and a small settings
 * table. Times are integer milliseconds since the epoch (UTC) so comparisons are numeric.
 */
const SQLITE = `
    CREATE TABLE accounts (
      id         TEXT PRIMARY KEY,
      name       TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL
    );

    -- Principals are soft-deleted so the keys they minted stay readable for audit; a deleted
    -- principal's keys stop authenticating (401).
    CREATE TABLE principals (
      id         TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts(id),
      name       TEXT NOT NULL,
      kind       TEXT NOT NULL CHECK (kind IN ('user', 'service')),
      role       TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
      created_at INTEGER NOT NULL,
      deleted_at INTEGER
    );
    CREATE INDEX principals_by_account ON principals(account_id);

    CREATE TABLE api_keys (
      id                TEXT PRIMARY KEY,
      account_id        TEXT NOT NULL REFERENCES accounts(id),
      principal_id      TEXT NOT NULL REFERENCES principals(id),
      created_by        TEXT NOT NULL REFERENCES principals(id),
      created_by_key_id TEXT REFERENCES api_keys(id),
      name              TEXT NOT NULL,
      description       TEXT,
      preset            TEXT,
      scopes_json       TEXT NOT NULL,
      constraint_kind   TEXT CHECK (constraint_kind IN ('team', 'project', 'site')),
      constraint_id     TEXT,
      ip_allowlist_json TEXT NOT NULL,
      ttl               TEXT NOT NULL,
      created_at        INTEGER NOT NULL,
      expires_at        INTEGER NOT NULL,
      revoked_at        INTEGER,
      last_used_at      INTEGER,
      last_used_ip      TEXT,
      CHECK ((constraint_kind IS NULL) = (constraint_id IS NULL))
    );
    CREATE INDEX api_keys_by_account_page ON api_keys(account_id, created_at, id);
    CREATE INDEX api_keys_by_principal ON api_keys(principal_id);

    -- A key has one current secret, plus during a rotation grace period the previous one.
    -- Only HMAC-SHA256(pepper, secret) is stored; the primary key is the unique index on it.
    CREATE TABLE key_secrets (
      secret_hash BLOB PRIMARY KEY,
      key_id      TEXT NOT NULL REFERENCES api_keys(id),
      created_at  INTEGER NOT NULL,
      valid_until INTEGER
    );
    CREATE INDEX key_secrets_by_key ON key_secrets(key_id);

    -- Idempotency-Key records, scoped per principal. The key itself is stored only as an HMAC;
    -- the response (which holds a secret) only encrypted under a key derived from the pepper and
    -- the idempotency key, so the database alone can neither find nor decrypt it.
    CREATE TABLE idempotency_records (
      principal_id   TEXT NOT NULL,
      key_digest     BLOB NOT NULL,
      request_digest BLOB NOT NULL,
      state          TEXT NOT NULL CHECK (state IN ('in_flight', 'completed')),
      created_at     INTEGER NOT NULL,
      response       BLOB,
      PRIMARY KEY (principal_id, key_digest)
    );

    CREATE TABLE settings (
      name  TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `;

export const migration: Migration = {
  version: 1,
  name: 'keys_foundation',
  sqlite: SQLITE,
  postgres: postgresDdl(SQLITE),
};
