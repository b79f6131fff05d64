/**
 * Idempotency-Key on create and rotate (docs/guides/api.md#keys): replay within 24 h (secret included) to the key
 * that made the request, 422 for the same key with a different request. Only successful (2xx)
 * responses are stored: a validation failure or a refusal leaves nothing behind, so the client can
 * fix the request and retry with the same key.
 *
 * Both steps run inside the caller's write transaction (services/change-committer.ts), after it
 * has taken `idempotencyLock` for the request's key digest: SQLite's write lock already serialises
 * every writer, and on PostgreSQL the advisory lock serialises the requests that share one
 * Idempotency-Key across every replica, so two of them can never both mint, and the record commits
 * together with what it records. The record's primary key (the digest) keeps one row per key.
 */
import {
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyOwner,
  checkIdempotencyKey,
  idempotencyKeyDigest,
  openResponse,
  requestFingerprint,
  sealResponse,
} from '../domain/idempotency';
import { ApiError, validationFailed } from '../domain/errors';
import { digestsEqual } from '../domain/secret-hash';
import type { IdempotencyRepository } from '../storage/idempotency-repository';
import type { ChangeResponse } from './change-response';

export interface IdempotentRequest {
  /** The calling key and its principal: a record is replayed only to the key that made it. */
  readonly owner: IdempotencyOwner;
  readonly idempotencyKey: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly now: Date;
}

export const REPLAY_HEADER = 'Idempotent-Replayed';

/**
 * The lock (SqlDatabase.lock) that requests sharing one Idempotency-Key take before the lookup.
 * Named by the key digest (peppered, per calling key), so unrelated requests never wait for each other.
 */
export function idempotencyLock(keyDigest: Buffer): string {
  return `idempotency:${keyDigest.toString('hex')}`;
}

/** A request prepared once: its digests are computed before the write transaction starts. */
export interface PreparedIdempotentRequest {
  readonly request: IdempotentRequest;
  readonly keyDigest: Buffer;
  readonly fingerprint: Buffer;
}

export class IdempotencyService {
  constructor(
    private readonly pepper: Buffer,
    private readonly records: IdempotencyRepository,
  ) {}

  /** Checks the header's syntax (400 naming it) and computes the digests. */
  prepare(request: IdempotentRequest): PreparedIdempotentRequest {
    const syntaxProblem = checkIdempotencyKey(request.idempotencyKey);
    if (syntaxProblem) throw validationFailed([{ header: 'Idempotency-Key', detail: syntaxProblem }]);
    return {
      request,
      keyDigest: idempotencyKeyDigest(this.pepper, request.owner, request.idempotencyKey),
      fingerprint: requestFingerprint(request.method, request.path, request.body),
    };
  }

  /**
   * The stored response to replay, or undefined when this is a fresh request. Throws 422 when the
   * key was used for a different request. Call inside the write transaction.
   */
  async replay(prepared: PreparedIdempotentRequest): Promise<ChangeResponse | undefined> {
    const now = prepared.request.now.getTime();
    await this.records.purgeCreatedBefore(now - IDEMPOTENCY_WINDOW_MS);
    const existing = await this.records.find(prepared.keyDigest);
    if (!existing || existing.createdAt + IDEMPOTENCY_WINDOW_MS <= now) return undefined;
    if (!digestsEqual(existing.requestDigest, prepared.fingerprint)) {
      throw new ApiError({
        code: 'idempotency_key_reused',
        detail: 'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      });
    }
    const { request } = prepared;
    const stored = JSON.parse(openResponse(this.pepper, request.owner, request.idempotencyKey, existing.response)) as ChangeResponse;
    return { ...stored, headers: { ...(stored.headers ?? {}), [REPLAY_HEADER]: 'true' } };
  }

  /** Stores a successful response for replay. Call inside the write transaction that made it. */
  async remember(prepared: PreparedIdempotentRequest, response: ChangeResponse): Promise<void> {
    if (response.status < 200 || response.status >= 300) return;
    const { request } = prepared;
    const sealed = sealResponse(this.pepper, request.owner, request.idempotencyKey, JSON.stringify(response));
    await this.records.put(prepared.keyDigest, prepared.fingerprint, request.now.getTime(), sealed);
  }
}
