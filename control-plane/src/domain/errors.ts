/**
 * Transport-neutral failures. Domain code throws these; the HTTP layer renders them as RFC 9457
 * problem+json (http/problem.ts). `code` is one of the catalog's codes (ERROR_CATALOG in
 * @managed-dev/contract, docs/guides/errors.md), which fixes the status and title, so an error
 * names only its code and says what went wrong.
 */
import { ERROR_CATALOG, ErrorCode, type FieldError } from '@managed-dev/contract';

export type { FieldError };

export interface ApiErrorInit {
  code: ErrorCode;
  detail: string;
  errors?: readonly FieldError[];
  headers?: Readonly<Record<string, string>>;
  /** Extra problem members (e.g. `offending_scopes`). */
  extensions?: Readonly<Record<string, unknown>>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(init: ApiErrorInit) {
    super(init.detail);
    this.name = 'ApiError';
    this.code = init.code;
    this.status = ERROR_CATALOG[init.code].status;
    this.title = ERROR_CATALOG[init.code].title;
    this.detail = init.detail;
    if (init.errors) this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}

export const REALM = 'managed';

export function validationFailed(errors: readonly FieldError[], detail?: string): ApiError {
  return new ApiError({
    code: 'validation_failed',
    detail: detail ?? errors.map((e) => (e.pointer || e.parameter ? `${e.pointer ?? e.parameter}: ${e.detail}` : e.detail)).join('; '),
    errors,
  });
}

export function badRequest(code: 'bad_request' | 'malformed_json' | 'invalid_encoding', detail: string): ApiError {
  return new ApiError({ code, detail });
}

/**
 * The single 404. Existence hiding (docs/guides/api.md#authorization-one-decision) needs every cause — missing, other account, outside
 * the constraint, outside the principal's reach — to produce the same status, body and headers,
 * so nothing here may depend on the cause.
 */
export function notFound(): ApiError {
  return new ApiError({ code: 'not_found', detail: 'The requested resource does not exist.' });
}

export function missingCredentials(): ApiError {
  return new ApiError({
    code: 'unauthorized',
    detail: 'Send an API key as "Authorization: Bearer <key>".',
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
  });
}

export function invalidToken(detail: string): ApiError {
  return new ApiError({
    code: 'invalid_token',
    detail,
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
  });
}

export function insufficientScope(scope: string): ApiError {
  return new ApiError({
    code: 'insufficient_scope',
    detail: `This request needs the scope "${scope}", which the key does not hold (or its principal's role no longer allows).`,
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
    extensions: { required_scope: scope },
  });
}

export function ipNotAllowed(): ApiError {
  return new ApiError({
    code: 'ip_not_allowed',
    detail: "The request's source address is not on the key's IP allowlist.",
  });
}

/** A 409: the request is well formed but the resource's state does not allow it. */
export function conflict(
  code: 'key_not_active' | 'name_taken' | 'team_not_empty' | 'project_not_empty' | 'last_owner',
  detail: string,
  headers?: Readonly<Record<string, string>>,
): ApiError {
  return new ApiError({ code, detail, ...(headers ? { headers } : {}) });
}

/** 429 with Retry-After (RFC 9110 §10.2.3): the caller is over its rate limit. */
export function tooManyRequests(retryAfterSeconds: number, detail: string): ApiError {
  return new ApiError({
    code: 'rate_limited',
    detail: `${detail} Retry after ${retryAfterSeconds} s.`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    extensions: { retry_after: retryAfterSeconds },
  });
}
