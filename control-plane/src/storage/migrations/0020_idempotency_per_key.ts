import type { Migration } from '../migrate';
import { postgresDdl } from './postgres-ddl';

/**
 * Idempotency records are bound to the calling key, not just its principal (a narrower key of the
 * same principal must never receive another key's stored response), and they are written only
 * once the request has succeeded, in the same transaction as the change and its audit entry, so
 * there is no "in flight" state left behind by a crash.
 *
 * `key_digest` is HMAC(pepper, principal, calling key, Idempotency-Key): it alone identifies a
 * record. Records of the old layout cannot be told apart by calling key, so they are dropped (they
 * would have expired within 24 hours anyway); a retry across the upgrade is a fresh request.
 * `created_at` is indexed because the purge of expired records deletes by age.
 */
const SQLITE = `
    DROP TABLE idempotency_records;
    CREATE TABLE idempotency_records (
      key_digest     BLOB PRIMARY KEY,
      request_digest BLOB NOT NULL,
      created_at     INTEGER NOT NULL,
      response       BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX idempotency_records_by_age ON idempotency_records(created_at);
  `;

export const migration: Migration = {
  version: 20,
  name: 'idempotency_per_key',
  sqlite: SQLITE,
  postgres: postgresDdl(SQLITE),
};
