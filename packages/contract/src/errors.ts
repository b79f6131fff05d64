/**
 * The one catalog of problem codes (docs/guides/errors.md is generated from it). Every problem
 * the control plane sends carries one of these as `code` (also the last segment of its `type`
 * URI); the OpenAPI document lists them per operation, and the provider decides what to say by
 * `code`, never by matching URLs. Adding a code here is the only way to make a new one exist: the
 * server's ApiError takes an `ErrorCode`, so a typo is a compile error.
 */

/** One entry of a problem's `errors[]`: a JSON pointer into the request body, or a query/header name. */
export interface FieldError {
  readonly pointer?: string;
  readonly parameter?: string;
  readonly header?: string;
  readonly detail: string;
  readonly suggestion?: string;
}

export interface ErrorCodeDefinition {
  /** The HTTP status every problem with this code has. */
  readonly status: number;
  /** The problem's `title`: fixed per code, so clients may show it. */
  readonly title: string;
  /** When it happens and what to do about it (for docs and the OpenAPI document). */
  readonly description: string;
}

export const ERROR_CATALOG = {
  bad_request: {
    status: 400,
    title: 'Bad request',
    description: 'The request could not be read (for example, its body ended early). Send it again.',
  },
  malformed_json: {
    status: 400,
    title: 'Malformed JSON',
    description: 'The body is not valid JSON. Send one JSON object.',
  },
  invalid_encoding: {
    status: 400,
    title: 'Invalid UTF-8',
    description: 'The body is not valid UTF-8. Send UTF-8 JSON.',
  },
  bearer_required: {
    status: 400,
    title: 'Sign in with a key',
    description: 'A dashboard session is opened with an API key as the bearer token, not with another session.',
  },
  validation_failed: {
    status: 400,
    title: 'Request validation failed',
    description:
      'A body field, query parameter or header is wrong. `errors[]` names each one (`pointer`, `parameter` or `header`) with a `detail` and, where there is one, a `suggestion`.',
  },
  unauthorized: {
    status: 401,
    title: 'Authentication required',
    description: 'No credentials were sent. Send an API key as `Authorization: Bearer mdk_…`.',
  },
  invalid_token: {
    status: 401,
    title: 'Invalid token',
    description:
      'The key is malformed, unknown, revoked, expired, rotated out, or its principal was deleted. The `detail` says which, to the holder of that secret.',
  },
  insufficient_scope: {
    status: 403,
    title: 'Insufficient scope',
    description: "The key lacks the scope the route needs (or its principal's role no longer allows it); `required_scope` names it.",
  },
  ip_not_allowed: {
    status: 403,
    title: 'IP address not allowed',
    description: "The request's source address is not on the key's IP allowlist.",
  },
  scope_escalation: {
    status: 403,
    title: 'Scopes beyond your own',
    description:
      'The key asked for would exceed the minting key, its principal or the owning principal (scopes in `offending_scopes`, a constraint in `offending_constraint`); `errors[]` points at each offender.',
  },
  csrf_token_invalid: {
    status: 403,
    title: 'CSRF token missing or wrong',
    description: 'A change made with a dashboard session cookie must carry the session’s token in `X-CSRF-Token`.',
  },
  principal_not_allowed: {
    status: 403,
    title: 'Cannot mint for this principal',
    description: 'Keys may be minted for another principal only by an owner or admin, for a live service account whose role is not above the minter’s.',
  },
  role_not_allowed: {
    status: 403,
    title: 'Role beyond your own',
    description: 'Nobody creates or assigns a role above their own, nor changes or deletes a principal ranked above them.',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description:
      'No such resource, or one the key may not see (another account, outside its constraint or its principal’s teams): the answer is the same on purpose.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists but not with this method; `Allow` lists the methods it has.',
  },
  key_not_active: {
    status: 409,
    title: 'Key not active',
    description: 'Only an active key can be rotated; this one is revoked or expired.',
  },
  key_not_ephemeral: {
    status: 409,
    title: 'Key not ephemeral',
    description: 'Only an ephemeral key can be renewed; mint an ephemeral key or rotate this one.',
  },
  name_taken: {
    status: 409,
    title: 'Name already in use',
    description: 'A live sibling already has this name; pick another.',
  },
  team_not_empty: {
    status: 409,
    title: 'Team not empty',
    description: 'A team is deleted only when it has no projects left.',
  },
  project_not_empty: {
    status: 409,
    title: 'Project not empty',
    description: 'A project is deleted only when it has no sites left.',
  },
  last_owner: {
    status: 409,
    title: 'Last owner',
    description: 'The account must keep at least one owner; promote another principal first.',
  },
  idempotency_key_reused: {
    status: 422,
    title: 'Idempotency-Key reused',
    description: 'This Idempotency-Key was used with a different method, path or body; use a new key for a new request.',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    description: 'Request bodies are limited to 64 KiB.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    description:
      'The caller (its key; its address when unauthenticated, or when refused for its address or a missing CSRF token) is over its rate limit; retry after `Retry-After` seconds (also in `retry_after`).',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description: 'Bodies must be sent as `Content-Type: application/json` in UTF-8.',
  },
  not_ready: {
    status: 503,
    title: 'Not ready',
    description: 'The database is unreachable or its migrations are not all applied; retry after `Retry-After` seconds.',
  },
  database_unavailable: {
    status: 503,
    title: 'Database unavailable',
    description:
      'The control plane lost its database, or the database could not serve the request in time (for example behind a stuck lock); nothing was changed that would not be rolled back. Retry after `Retry-After` seconds.',
  },
  internal_error: {
    status: 500,
    title: 'Internal error',
    description: 'The server failed to handle the request. It is logged with its request id.',
  },
} as const satisfies Readonly<Record<string, ErrorCodeDefinition>>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as readonly ErrorCode[];

/** The base of every problem `type` URI: `${PROBLEM_TYPE_BASE}${code}`. */
export const PROBLEM_TYPE_BASE = 'https://managed.dev/problems/';

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}

export function problemType(code: ErrorCode): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}
