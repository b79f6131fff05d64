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
 */
import type { Caller } from '../domain/authorization';
import type { Db } from '../storage/database';
import type { RouteResponse } from '../http/route-definition';
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
  /** Present when the route's success is audited. */
  readonly audit?: {
    readonly action: string;
    /** What the entry names as its target, given the response. */
    readonly target: (response: RouteResponse) => string | null;
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

export class ChangeCommitter {
  constructor(
    private readonly db: Db,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Runs `change` (a synchronous handler) in one IMMEDIATE transaction with the idempotency lookup
   * and record and the audit entry. A thrown error rolls everything back, including whatever the
   * handler wrote before it threw.
   */
  commit(request: ChangeRequest, change: () => RouteResponse | Promise<RouteResponse>): RouteResponse {
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
    return this.db
      .transaction((): RouteResponse => {
        const replayed = prepared ? this.idempotency.replay(prepared) : undefined;
        if (replayed) {
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
      })
      .immediate();
  }

  private record(request: ChangeRequest, action: string, response: RouteResponse, detail: string): void {
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
