/**
 * One transaction per write. A change request's effect (the key row, the rotated secret, the
 * principal...), its Idempotency-Key record and its audit entry commit together or not at all:
 * killing the process at any point leaves either all of them or none, so there is never a key
 * without its audit entry, nor a retry that mints a second key for one Idempotency-Key.
 *
 * The transaction takes the database's write lock before the idempotency lookup (SQLite: BEGIN
 * IMMEDIATE), so the lookup, the change and the record are serialised with every other writer, in
 * this process and in any other (the operator CLI). PostgreSQL has no such lock (READ COMMITTED,
 * many writers at once): there the change takes the advisory lock named for its Idempotency-Key
 * digest before the lookup, so two replicas handed the same key serialise on it and the second
 * replays what the first committed (docs/guides/decisions.md#idempotency-across-replicas). Handlers of changes are asynchronous, and every
 * database call they make, however deep and across however many awaits, belongs to the change's
 * transaction (storage/sql-database.ts), which is what lets the whole request be one transaction.
 *
 * Group commit (`groupCommit`, done by the database): on SQLite the changes made during one turn
 * of the event loop share one transaction, each inside its own savepoint (a failing change rolls
 * back only itself), and the returned promise settles only once that transaction's COMMIT is
 * durable in the WAL. A commit costs about as much as the rest of a mint, so 16 clients minting at
 * once pay for one commit instead of sixteen. Nothing is answered before it is durable; a crash
 * loses only changes nobody was told about. If the COMMIT itself fails (or SQLite rolled the batch
 * back by itself), every change of the batch fails with 500 and none is answered as done.
 */
import type { Caller } from '../domain/authorization';
import type { SqlDatabase } from '../storage/sql-database';
import type { ChangeResponse } from './change-response';
import type { AuditLog } from './audit-log';
import { idempotencyLock, type IdempotencyService, type IdempotentRequest, type PreparedIdempotentRequest } from './idempotency-service';

export interface ChangeRequest {
  readonly caller: Caller;
  readonly now: Date;
  readonly sourceIp: string;
  readonly method: string;
  /** The request body as validated (its top-level fields name what a generic change touched). */
  readonly body: unknown;
  /** Present when the route honours Idempotency-Key and the request sent one. */
  readonly idempotency?: Pick<IdempotentRequest, 'idempotencyKey' | 'path'>;
  /**
   * Present when the route guards its replays: throws (a refusal) when the caller may no longer
   * be handed the stored response, e.g. a key's secret it could no longer mint.
   */
  readonly checkReplay?: (stored: ChangeResponse) => void | Promise<void>;
  /** Present when the route's success is audited. */
  readonly audit?: {
    readonly action: string;
    /** What the entry names as its target, given the response. */
    readonly target: (response: ChangeResponse) => string | null;
  };
}

/** Action of the entry a replay writes: a replay hands a stored response out again, it creates nothing. */
export const REPLAY_ACTION = 'idempotency.replay';

/** What a change without a handler-written detail touched: its method and the body's top-level fields. */
export function genericChangeDetail(method: string, body: unknown): string {
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).sort() : [];
  const verb = { post: 'created with', put: 'set', patch: 'changed', delete: 'deleted' }[method.toLowerCase()] ?? method;
  if (method.toLowerCase() === 'delete') return verb;
  return fields.length > 0 ? `${verb} ${fields.join(', ')}` : `${verb} no fields`;
}

/** Every change joins the open group commit (storage/sql-database.ts, TransactionOptions). */
const GROUP_COMMIT = Object.freeze({ groupCommit: true });

/** A change handler: its writes go to the change's transaction. */
export type ChangeHandler = () => Promise<ChangeResponse>;

export class ChangeCommitter {
  constructor(
    private readonly db: SqlDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Runs `change` with the idempotency lookup and record and the audit entry, all in one
   * transaction, and resolves once that has committed. A thrown error rolls back everything this
   * change wrote (and rejects); other changes of the same group commit are unaffected. Called
   * inside a transaction someone else opened, the change is a savepoint of it and that
   * transaction's owner commits it.
   */
  commit(request: ChangeRequest, change: ChangeHandler): Promise<ChangeResponse> {
    let prepared: PreparedIdempotentRequest | undefined;
    try {
      // Syntax errors and digests before the write lock is taken.
      prepared = request.idempotency
        ? this.idempotency.prepare({
            ...request.idempotency,
            owner: { principalId: request.caller.principalId, keyId: request.caller.keyId },
            method: request.method,
            body: request.body,
            now: request.now,
          })
        : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.db.transaction(() => this.apply(request, prepared, change), GROUP_COMMIT);
  }

  private async apply(request: ChangeRequest, prepared: PreparedIdempotentRequest | undefined, change: ChangeHandler): Promise<ChangeResponse> {
    // Before the lookup: a second request with this Idempotency-Key, on any replica, waits here
    // until the first has committed (or rolled back), then reads its record and replays it.
    if (prepared) await this.db.lock(idempotencyLock(prepared.keyDigest));
    const replayed = prepared ? await this.idempotency.replay(prepared) : undefined;
    if (replayed) {
      await request.checkReplay?.(replayed);
      await this.record(request, REPLAY_ACTION, replayed, `replayed the stored ${request.audit?.action ?? request.method} response; nothing was changed`);
      return replayed;
    }
    const response = await change();
    if (prepared) await this.idempotency.remember(prepared, response);
    if (request.audit && response.status < 400) {
      await this.record(request, request.audit.action, response, response.audit?.detail ?? genericChangeDetail(request.method, request.body));
    }
    return response;
  }

  private async record(request: ChangeRequest, action: string, response: ChangeResponse, detail: string): Promise<void> {
    if (!request.audit) return;
    // Last before COMMIT, in the change's transaction (no savepoint: a failure here fails the
    // change), so the account's chain stays locked for as short a time as possible.
    await this.audit.recordInTransaction(
      {
        accountId: request.caller.accountId,
        actorPrincipalId: request.caller.principalId,
        keyId: request.caller.keyId,
        action,
        target: request.audit.target(response),
        sourceIp: request.sourceIp,
        outcome: 'success',
        detail,
      },
      request.now,
    );
  }
}
