import type { Db } from './database';

export interface IdempotencyRecord {
  readonly principalId: string;
  readonly keyDigest: Buffer;
  readonly requestDigest: Buffer;
  readonly state: 'in_flight' | 'completed';
  readonly createdAt: number;
  readonly response: Buffer | null;
}

interface IdempotencyRow {
  principal_id: string;
  key_digest: Buffer;
  request_digest: Buffer;
  state: 'in_flight' | 'completed';
  created_at: number;
  response: Buffer | null;
}

export type ClaimOutcome = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

export class IdempotencyRepository {
  private readonly getStatement;
  private readonly insertStatement;
  private readonly deleteStatement;
  private readonly completeStatement;
  private readonly purgeStatement;

  constructor(private readonly db: Db) {
    this.getStatement = db.prepare<[string, Buffer], IdempotencyRow>(
      'SELECT * FROM idempotency_records WHERE principal_id = ? AND key_digest = ?',
    );
    this.insertStatement = db.prepare(
      `INSERT INTO idempotency_records (principal_id, key_digest, request_digest, state, created_at, response)
       VALUES (?, ?, ?, 'in_flight', ?, NULL)`,
    );
    this.deleteStatement = db.prepare('DELETE FROM idempotency_records WHERE principal_id = ? AND key_digest = ?');
    this.completeStatement = db.prepare(
      `UPDATE idempotency_records SET state = 'completed', response = ? WHERE principal_id = ? AND key_digest = ?`,
    );
    this.purgeStatement = db.prepare('DELETE FROM idempotency_records WHERE created_at <= ?');
  }

  /**
   * Atomically either records a new in-flight request or returns the record already there.
   * `isReusable` decides whether an existing record is dead (expired, or in flight for so long its
   * owner must have crashed) and may be replaced. BEGIN IMMEDIATE serialises this across processes.
   */
  claim(
    principalId: string,
    keyDigest: Buffer,
    requestDigest: Buffer,
    now: number,
    isDead: (record: IdempotencyRecord) => boolean,
  ): ClaimOutcome {
    return this.db
      .transaction((): ClaimOutcome => {
        const row = this.getStatement.get(principalId, keyDigest);
        if (row) {
          const existing: IdempotencyRecord = {
            principalId: row.principal_id,
            keyDigest: row.key_digest,
            requestDigest: row.request_digest,
            state: row.state,
            createdAt: row.created_at,
            response: row.response,
          };
          if (!isDead(existing)) return { claimed: false, existing };
          this.deleteStatement.run(principalId, keyDigest);
        }
        this.insertStatement.run(principalId, keyDigest, requestDigest, now);
        return { claimed: true };
      })
      .immediate();
  }

  complete(principalId: string, keyDigest: Buffer, encryptedResponse: Buffer): void {
    this.completeStatement.run(encryptedResponse, principalId, keyDigest);
  }

  release(principalId: string, keyDigest: Buffer): void {
    this.deleteStatement.run(principalId, keyDigest);
  }

  /** Deletes records created at or before `cutoff`; they can no longer be replayed anyway. */
  purgeCreatedBefore(cutoff: number): number {
    return this.purgeStatement.run(cutoff).changes;
  }
}
