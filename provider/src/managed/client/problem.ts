/**
 * RFC 9457 problem details as the control plane sends them (docs/guides/api.md#authorization-one-decision), and the error the client
 * throws for any non-success answer. The provider turns these into diagnostics that quote the
 * server's `detail` and point at the attribute named by each `errors[].pointer`.
 */
import { ErrorCode, isErrorCode } from '@managed-dev/contract';
export interface ProblemFieldError {
  /** JSON pointer into the request body, e.g. "/scopes/2" or "/constraint/team_id". */
  readonly pointer?: string;
  readonly detail: string;
}

export interface Problem {
  readonly type?: string;
  /** The catalog code (docs/guides/errors.md); absent when the body was not one of ours (a proxy's page). */
  readonly code?: ErrorCode;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors: readonly ProblemFieldError[];
}

/** The API answered, but not with success. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly problem: Problem,
    /** Where the refused token came from ("the provider's token argument"), for a 401's hint. */
    readonly credentialSource?: string,
  ) {
    super(`${method} ${path} failed with ${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }
}

/** The API could not be reached (or never answered) even after every retry. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly attempts: number,
    override readonly cause: Error,
  ) {
    super(`${method} ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause.message}`);
    this.name = 'ApiUnreachableError';
  }
}

function textField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Reads a problem body leniently: a proxy or a crashed server may answer with HTML or nothing,
 * and the user must still get the status and whatever text came back.
 */
export function parseProblem(status: number, statusText: string, contentType: string | undefined, body: string): Problem {
  let parsed: unknown;
  if (body.length > 0 && /json/i.test(contentType ?? '')) {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const snippet = body.trim().slice(0, 300);
    return { title: statusText || `HTTP ${status}`, status, ...(snippet ? { detail: snippet } : {}), errors: [] };
  }
  const record = parsed as Record<string, unknown>;
  const errors: ProblemFieldError[] = [];
  if (Array.isArray(record.errors)) {
    for (const entry of record.errors) {
      if (entry === null || typeof entry !== 'object') continue;
      const fields = entry as Record<string, unknown>;
      const detail = textField(fields.detail) ?? textField(fields.message) ?? textField(fields.title);
      const pointer = textField(fields.pointer);
      if (detail) errors.push({ detail, ...(pointer !== undefined ? { pointer } : {}) });
    }
  }
  const type = textField(record.type);
  const detail = textField(record.detail);
  return {
    ...(type ? { type } : {}),
    ...(isErrorCode(record.code) ? { code: record.code } : {}),
    title: textField(record.title) ?? (statusText || `HTTP ${status}`),
    status: typeof record.status === 'number' ? record.status : status,
    ...(detail ? { detail } : {}),
    errors,
  };
}
