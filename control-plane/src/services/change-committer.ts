/**
 * One transaction per write. A change request's effect (the key row, the rotated secret, the
 * principal...), its Idempotency-Key record and its audit entry commit together or not at all:
 * killing the process at any point leaves either all of them or none, so there is never a key
 * without its audit entry, nor a retry that mints a second key for one Idempotency-Key.
 *
 * The transaction is BEGIN IMMEDIATE: it takes SQLite's write lock before the idempotency lookup,
 * so the lookup, the change and the record are serialised with every other writer, in this
 * process and in any other (the operator CLI). Handlers of changes are synchronous (better-sqlite3
 * is), which is what lets the whole request be one transaction.
 *
 * Group commit: the changes made during one turn of the event loop share one SQLite transaction,
 * each inside its own savepoint (a failing change rolls back only itself), and the transaction
 * commits from setImmediate, before any of their responses is released. A commit costs about as
 * much as the rest of a mint (it writes every touched page to the WAL), so 16 clients minting at
 * once pay for one commit instead of sixteen. Nothing is answered before it is durable in the WAL;
 * a crash loses only changes nobody was told about. While the batch is open, other requests on
 * this connection can read its rows a moment before they commit (they would be gone only if the
 * COMMIT itself failed, which fails every change of the batch with 500).
 */
import type { Caller } from '../domain/authorization';
import type { Db } from '../storage/database';
import type { ChangeResponse } from './change-response';
import type { AuditLog } from './audit-log';
import type { IdempotencyService, IdempotentRequest, PreparedIdempotentRequest } from './idempotency-service';

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
  readonly checkReplay?: (stored: ChangeResponse) => void;
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

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

interface Waiting {
  readonly response: ChangeResponse;
  readonly resolve: (response: ChangeResponse) => void;
  readonly reject: (error: unknown) => void;
}

export class ChangeCommitter {
  /** Changes done in the open batch transaction, answered once it commits. */
  private waiting: Waiting[] = [];
  private batchOpen = false;
  private readonly inSavepoint;

  constructor(
    private readonly db: Db,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditLog,
  ) {
    // Inside the open batch better-sqlite3 runs this as a savepoint: a throw undoes just this change.
    this.inSavepoint = db.transaction(
      (request: ChangeRequest, prepared: PreparedIdempotentRequest | undefined, change: () => ChangeResponse | Promise<ChangeResponse>) =>
        this.apply(request, prepared, change),
    );
  }

  /**
   * Runs `change` (a synchronous handler) with the idempotency lookup and record and the audit
   * entry, all inside the batch transaction, and resolves once that has committed. A thrown error
   * rolls back everything this change wrote (and rejects at once); other changes are unaffected.
   */
  commit(request: ChangeRequest, change: () => ChangeResponse | Promise<ChangeResponse>): Promise<ChangeResponse> {
    try {
      // Syntax errors and digests before the write lock is taken.
      const prepared: PreparedIdempotentRequest | undefined = request.idempotency
        ? this.idempotency.prepare({
            ...request.idempotency,
            owner: { principalId: request.caller.principalId, keyId: request.caller.keyId },
            method: request.method,
            body: request.body,
            now: request.now,
          })
        : undefined;
      const batched = this.openBatch();
      const response = this.inSavepoint(request, prepared, change);
      // Called inside a transaction someone else opened: that transaction's owner commits it.
      if (!batched) return Promise.resolve(response);
      return new Promise((resolve, reject) => this.waiting.push({ response, resolve, reject }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Commits the open batch now (shutdown calls this before closing the database). */
  flush(): void {
    if (!this.batchOpen) return;
    const waiting = this.takeWaiting();
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const change of waiting) change.reject(error);
      return;
    }
    for (const change of waiting) change.resolve(change.response);
  }

  /** Opens the batch transaction unless it is open; false when a transaction not ours is open. */
  private openBatch(): boolean {
    if (this.batchOpen) {
      if (this.db.inTransaction) return true;
      // SQLite rolled the batch back by itself (an I/O error does that): what it held is lost, so
      // those changes fail, and this one starts a new batch rather than committing on its own.
      const lost = new Error('the write transaction was rolled back by SQLite before it could commit');
      for (const change of this.takeWaiting()) change.reject(lost);
    } else if (this.db.inTransaction) {
      return false;
    }
    this.db.exec('BEGIN IMMEDIATE');
    this.batchOpen = true;
    setImmediate(() => this.flush());
    return true;
  }

  private takeWaiting(): Waiting[] {
    const waiting = this.waiting;
    this.waiting = [];
    this.batchOpen = false;
    return waiting;
  }

  private apply(
    request: ChangeRequest,
    prepared: PreparedIdempotentRequest | undefined,
    change: () => ChangeResponse | Promise<ChangeResponse>,
  ): ChangeResponse {
    const replayed = prepared ? this.idempotency.replay(prepared) : undefined;
    if (replayed) {
      request.checkReplay?.(replayed);
      this.record(request, REPLAY_ACTION, replayed, `replayed the stored ${request.audit?.action ?? request.method} response; nothing was changed`);
      return replayed;
    }
    const response = change();
    if (isPromise(response)) throw new Error('a change handler returned a promise; changes must be synchronous to commit as one transaction');
    if (prepared) this.idempotency.remember(prepared, response);
    if (request.audit && response.status < 400) {
      this.record(request, request.audit.action, response, response.audit?.detail ?? genericChangeDetail(request.method, request.body));
    }
    return response;
  }

  private record(request: ChangeRequest, action: string, response: ChangeResponse, detail: string): void {
    if (!request.audit) return;
    this.audit.record(
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
