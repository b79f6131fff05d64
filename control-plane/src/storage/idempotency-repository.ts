/**
 * Stored responses for Idempotency-Key replays. A record is written only when its request
 * succeeded, inside the same transaction as the change itself and its audit entry (see
 * services/change-committer.ts), so a crash leaves either all three or none: there is no
 * "in flight" state to abandon.
 */
import { cacheNeutralWrite } from './change-stamp';
import type { Db } from './database';

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

export class IdempotencyRepository {
  private readonly getStatement;
  private readonly putStatement;
  private readonly purgeStatement;

  constructor(private readonly db: Db) {
    this.getStatement = db.prepare<[Buffer], IdempotencyRow>('SELECT request_digest, created_at, response FROM idempotency_records WHERE key_digest = ?');
    // REPLACE: an expired record under the same digest may still be there until the purge reaches it.
    this.putStatement = db.prepare('INSERT OR REPLACE INTO idempotency_records (key_digest, request_digest, created_at, response) VALUES (?, ?, ?, ?)');
    // Walks the created_at index from the oldest end and stops after PURGE_BATCH rows.
    this.purgeStatement = db.prepare(
      `DELETE FROM idempotency_records WHERE key_digest IN
         (SELECT key_digest FROM idempotency_records WHERE created_at <= ? ORDER BY created_at LIMIT ${PURGE_BATCH})`,
    );
  }

  find(keyDigest: Buffer): IdempotencyRecord | undefined {
    const row = this.getStatement.get(keyDigest);
    return row ? { requestDigest: row.request_digest, createdAt: row.created_at, response: row.response } : undefined;
  }

  /** Cache-neutral: no cache of authorization data reads these records. */
  put(keyDigest: Buffer, requestDigest: Buffer, createdAt: number, sealedResponse: Buffer): void {
    cacheNeutralWrite(this.db, () => this.putStatement.run(keyDigest, requestDigest, createdAt, sealedResponse));
  }

  /** Deletes up to PURGE_BATCH records created at or before `cutoff`; they can no longer be replayed anyway. */
  purgeCreatedBefore(cutoff: number): number {
    return cacheNeutralWrite(this.db, () => this.purgeStatement.run(cutoff).changes);
  }
}
