/**
 * The dashboard's only way to the server: the documented /v1 API, same origin. After sign-in the
 * browser holds an HttpOnly session cookie it cannot read; this module keeps the session's CSRF
 * token in memory (never in storage) and sends it on every request that changes anything.
 */
import type { FieldError, KeyConstraint, KeyRecord, MintedKey as KeyWithSecret } from '@managed-dev/contract';

export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export interface Session {
  readonly key_id: string;
  readonly expires_at: string;
  readonly csrf_token: string;
}

export type { KeyConstraint, KeyRecord, KeyWithSecret };

export interface Whoami {
  readonly account_id: string;
  readonly role: string;
  readonly principal: { readonly id: string; readonly name: string; readonly kind: string; readonly role: string };
  readonly key_id: string;
  readonly key_name: string;
  readonly preset: string | null;
  readonly scopes: readonly string[];
  readonly effective_scopes: readonly string[];
  readonly constraint: KeyConstraint | null;
}

export interface Page<Item> {
  readonly items: readonly Item[];
  readonly next_cursor: string | null;
}

let csrfToken: string | undefined;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function call<Body>(method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}): Promise<Body> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.json !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken !== undefined) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
  const text = await response.text();
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const problem = (body ?? {}) as Partial<Problem>;
    throw new ApiProblem({
      status: response.status,
      code: problem.code ?? 'error',
      title: problem.title ?? response.statusText,
      detail: problem.detail ?? `The server answered ${response.status}.`,
      ...(problem.errors ? { errors: problem.errors } : {}),
    });
  }
  return body as Body;
}

/** Exchanges the key for a session cookie; the key is used for this one request and then forgotten. */
export async function signIn(apiKey: string): Promise<Session> {
  const session = await call<Session>('POST', '/v1/sessions', { headers: { Authorization: `Bearer ${apiKey.trim()}` } });
  csrfToken = session.csrf_token;
  return session;
}

/** The session the cookie carries (after a reload), or null when signed out. */
export async function currentSession(): Promise<Session | null> {
  try {
    const session = await call<Session>('GET', '/v1/sessions/current');
    csrfToken = session.csrf_token;
    return session;
  } catch (error) {
    if (error instanceof ApiProblem && (error.problem.status === 401 || error.problem.status === 404)) return null;
    throw error;
  }
}

export async function signOut(): Promise<void> {
  await call<void>('DELETE', '/v1/sessions/current');
  csrfToken = undefined;
}

export const whoami = () => call<Whoami>('GET', '/v1/whoami');

export async function listAll<Item>(path: string, maxPages = 20): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const result: Page<Item> = await call<Page<Item>>('GET', `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return items;
}

export const listKeys = () => listAll<KeyRecord>('/v1/keys');

export interface KeyCreateBody {
  name: string;
  ttl: string;
  preset?: string;
  scopes?: string[];
  constraint?: KeyConstraint;
  ip_allowlist?: string[];
}

export const createKey = (body: KeyCreateBody) => call<KeyWithSecret>('POST', '/v1/keys', { json: body, headers: { 'Idempotency-Key': crypto.randomUUID() } });

export const revokeKey = (id: string) => call<KeyRecord>('DELETE', `/v1/keys/${encodeURIComponent(id)}`);

export const rotateKey = (id: string, gracePeriod: string) =>
  call<KeyWithSecret>('POST', `/v1/keys/${encodeURIComponent(id)}/rotate`, {
    json: { grace_period: gracePeriod },
    headers: { 'Idempotency-Key': crypto.randomUUID() },
  });

export interface Named {
  readonly id: string;
  readonly name: string;
}

export const getOne = <T>(path: string) => call<T>('GET', path);
