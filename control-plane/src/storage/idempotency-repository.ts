/**
 * Stored responses for Idempotency-Key replays. A record is written only when its request
 * succeeded, inside the same transaction as the change itself and its audit entry (see
 * services/change-committer.ts), so a crash leaves either all three or none: there is no
 * "in flight" state to abandon.
 */
import type { SqlDatabase } from './sql-database';

export interface IdempotencyRecord {
  readonly requestDigest: Buffer;
  readonly createdAt: number;
  readonly response: Buffer;
}

interface IdempotencyRow {
  request_digest: Buffer;
  created_at: number;
  response: Buffer;
}

/** Expired records deleted per idempotent request at most, so one request never pays for a backlog. */
export const PURGE_BATCH = 64;

const FIND = 'SELECT request_digest, created_at, response FROM idempotency_records WHERE key_digest = ?';
// An expired record under the same digest may still be there until the purge reaches it: replace it.
const PUT = `INSERT INTO idempotency_records (key_digest, request_digest, created_at, response) VALUES (?, ?, ?, ?)
  ON CONFLICT (key_digest) DO UPDATE SET request_digest = excluded.request_digest, created_at = excluded.created_at,
    response = excluded.response`;
// Walks the created_at index from the oldest end and stops after PURGE_BATCH rows.
export const PURGE_SQL = `DELETE FROM idempotency_records WHERE key_digest IN
  (SELECT key_digest FROM idempotency_records WHERE created_at <= ? ORDER BY created_at LIMIT ${PURGE_BATCH})`;

export class IdempotencyRepository {
  constructor(private readonly db: SqlDatabase) {}

  async find(keyDigest: Buffer): Promise<IdempotencyRecord | undefined> {
    const row = await this.db.get<IdempotencyRow>(FIND, [keyDigest]);
    return row ? { requestDigest: row.request_digest, createdAt: Number(row.created_at), response: row.response } : undefined;
  }

  /** Cache-neutral: no cache of authorization data reads these records. */
  async put(keyDigest: Buffer, requestDigest: Buffer, createdAt: number, sealedResponse: Buffer): Promise<void> {
    await this.db.cacheNeutral(() => this.db.run(PUT, [keyDigest, requestDigest, createdAt, sealedResponse]));
  }

  /** Deletes up to PURGE_BATCH records created at or before `cutoff`; they can no longer be replayed anyway. */
  async purgeCreatedBefore(cutoff: number): Promise<number> {
    const result = await this.db.cacheNeutral(() => this.db.run(PURGE_SQL, [cutoff]));
    return result.changes;
  }
}
