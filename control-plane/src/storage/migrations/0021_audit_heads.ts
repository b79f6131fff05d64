import type { Migration } from '../migrate';
import { postgresDdl } from './postgres-ddl';

/**
 * The sealed head of every audit chain: its newest entry (sequence, id, hash) and an HMAC over
 * them under a key derived from the pepper. The database alone cannot produce a valid seal, so
 * deleting the newest entries, or rewriting entries and recomputing every later hash, no longer
 * passes `verify`. `lost_at` records, under the seal, that an append once found the head missing
 * while the chain had entries (evidence that survives later appends).
 *
 * Chains written before this migration get their heads sealed once at the next start (there is no
 * pepper here); see AuditRepository.sealUnsealedChains.
 */
const SQLITE = `
    CREATE TABLE audit_heads (
      chain    TEXT PRIMARY KEY,
      sequence INTEGER NOT NULL,
      entry_id TEXT NOT NULL,
      hash     TEXT NOT NULL,
      lost_at  INTEGER,
      seal     TEXT NOT NULL
    );
  `;

export const migration: Migration = {
  version: 21,
  name: 'audit_heads',
  sqlite: SQLITE,
  postgres: postgresDdl(SQLITE),
};
