/**
 * Transport-neutral failures. Domain code throws these; the HTTP layer renders them as RFC 9457
 * problem+json (http/problem.ts). `code` is the stable machine-readable name (it is also the last
 * segment of the problem `type` URI), e.g. "invalid_token", "insufficient_scope", "not_found".
 */

/** One entry of a problem's `errors[]`: a JSON pointer into the request body, or a query/header name. */
export interface FieldError {
  readonly pointer?: string;
  readonly parameter?: string;
  readonly header?: string;
  readonly detail: string;
  readonly suggestion?: string;
}

export interface ApiErrorInit {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: readonly FieldError[];
  headers?: Readonly<Record<string, string>>;
  /** Extra problem members (e.g. `offending_scopes`). */
  extensions?: Readonly<Record<string, unknown>>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(init: ApiErrorInit) {
    super(init.detail);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    if (init.errors) this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}

export const REALM = 'managed';

export function validationFailed(errors: readonly FieldError[], detail?: string): ApiError {
  return new ApiError({
    status: 400,
    code: 'validation_failed',
    title: 'Request validation failed',
    detail: detail ?? errors.map((e) => (e.pointer || e.parameter ? `${e.pointer ?? e.parameter}: ${e.detail}` : e.detail)).join('; '),
    errors,
  });
}

export function badRequest(code: string, title: string, detail: string): ApiError {
  return new ApiError({ status: 400, code, title, detail });
}

/**
 * The single 404. Existence hiding (SPEC §5) needs every cause — missing, other account, outside
 * the constraint, outside the principal's reach — to produce the same status, body and headers,
 * so nothing here may depend on the cause.
 */
export function notFound(): ApiError {
  return new ApiError({ status: 404, code: 'not_found', title: 'Not found', detail: 'The requested resource does not exist.' });
}

export function missingCredentials(): ApiError {
  return new ApiError({
    status: 401,
    code: 'unauthorized',
    title: 'Authentication required',
    detail: 'Send an API key as "Authorization: Bearer <key>".',
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
  });
}

export function invalidToken(detail: string): ApiError {
  return new ApiError({
    status: 401,
    code: 'invalid_token',
    title: 'Invalid token',
    detail,
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
  });
}

export function insufficientScope(scope: string): ApiError {
  return new ApiError({
    status: 403,
    code: 'insufficient_scope',
    title: 'Insufficient scope',
    detail: `This request needs the scope "${scope}", which the key does not hold (or its principal's role no longer allows).`,
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
    extensions: { required_scope: scope },
  });
}

export function ipNotAllowed(): ApiError {
  return new ApiError({
    status: 403,
    code: 'ip_not_allowed',
    title: 'IP address not allowed',
    detail: "The request's source address is not on the key's IP allowlist.",
  });
}

export function conflict(code: string, title: string, detail: string): ApiError {
  return new ApiError({ status: 409, code, title, detail });
}

/** 429 with Retry-After (RFC 9110 §10.2.3): the caller is over its rate limit. */
export function tooManyRequests(retryAfterSeconds: number, detail: string): ApiError {
  return new ApiError({
    status: 429,
    code: 'rate_limited',
    title: 'Too many requests',
    detail: `${detail} Retry after ${retryAfterSeconds} s.`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    extensions: { retry_after: retryAfterSeconds },
  });
}
