/**
 * Idempotency-Key on create and rotate (docs/guides/api.md#keys): replay within 24 h (secret included), 422 for
 * the same key with a different request, 409 while the first is still in flight. Only successful
 * (2xx) responses are stored: a validation failure or a refusal leaves nothing behind, so the
 * client can fix the request and retry with the same key.
 */
import {
  IDEMPOTENCY_WINDOW_MS,
  IN_FLIGHT_ABANDONED_MS,
  checkIdempotencyKey,
  idempotencyKeyDigest,
  openResponse,
  requestFingerprint,
  sealResponse,
} from '../domain/idempotency';
import { ApiError, conflict, validationFailed } from '../domain/errors';
import { digestsEqual } from '../domain/secret-hash';
import type { IdempotencyRepository } from '../storage/idempotency-repository';

/**
 * What is stored and replayed: a response as any transport would send it. (The HTTP layer's
 * RouteResponse fits this shape; services do not import the HTTP layer.)
 */
export interface ReplayableResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface IdempotentRequest {
  readonly principalId: string;
  readonly idempotencyKey: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly now: Date;
}

export const REPLAY_HEADER = 'Idempotent-Replayed';

export class IdempotencyService {
  constructor(
    private readonly pepper: Buffer,
    private readonly records: IdempotencyRepository,
  ) {}

  async run<Response extends ReplayableResponse>(request: IdempotentRequest, execute: () => Response | Promise<Response>): Promise<Response> {
    const syntaxProblem = checkIdempotencyKey(request.idempotencyKey);
    if (syntaxProblem) throw validationFailed([{ header: 'Idempotency-Key', detail: syntaxProblem }]);
    const now = request.now.getTime();
    const keyDigest = idempotencyKeyDigest(this.pepper, request.principalId, request.idempotencyKey);
    const fingerprint = requestFingerprint(request.method, request.path, request.body);

    this.records.purgeCreatedBefore(now - IDEMPOTENCY_WINDOW_MS);
    const outcome = this.records.claim(request.principalId, keyDigest, fingerprint, now, (record) =>
      record.createdAt + IDEMPOTENCY_WINDOW_MS <= now ||
      (record.state === 'in_flight' && record.createdAt + IN_FLIGHT_ABANDONED_MS <= now),
    );
    if (!outcome.claimed) {
      const existing = outcome.existing;
      if (existing.state === 'in_flight') {
        throw conflict('idempotency_in_flight', 'A request with this Idempotency-Key is still being processed; retry shortly.', { 'Retry-After': '1' });
      }
      if (!digestsEqual(existing.requestDigest, fingerprint)) {
        throw new ApiError({
          code: 'idempotency_key_reused',
          detail: 'This Idempotency-Key was already used with a different request; use a new key for a new request.',
        });
      }
      const stored = JSON.parse(openResponse(this.pepper, request.principalId, request.idempotencyKey, existing.response!)) as Response;
      return { ...stored, headers: { ...(stored.headers ?? {}), [REPLAY_HEADER]: 'true' } };
    }

    let response: Response;
    try {
      response = await execute();
    } catch (error) {
      this.records.release(request.principalId, keyDigest);
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      const sealed = sealResponse(this.pepper, request.principalId, request.idempotencyKey, JSON.stringify(response));
      this.records.complete(request.principalId, keyDigest, sealed);
    } else {
      this.records.release(request.principalId, keyDigest);
    }
    return response;
  }
}
