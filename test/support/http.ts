/**
 * Small fetch wrapper for API tests: JSON in, parsed JSON (or text) out, headers kept. Every
 * response is checked against the OpenAPI document (test/support/response-validator.ts), so a
 * response the document does not describe fails the test that provoked it.
 */
import { assertResponseMatchesDocument } from './response-validator';

export interface ApiResponse<Body = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  /** Parsed JSON when the response is JSON or problem+json, else the raw text. */
  readonly body: Body;
  readonly text: string;
}

export interface ApiRequestOptions {
  /** Bearer key; omitted → no Authorization header. */
  readonly key?: string;
  /** Serialised as JSON with Content-Type application/json. */
  readonly json?: unknown;
  /** Raw body (then set `headers['content-type']` yourself). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
}

export async function api<Body = any>(baseUrl: string, method: string, path: string, options: ApiRequestOptions = {}): Promise<ApiResponse<Body>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  let body: string | Buffer | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.rawBody !== undefined) {
    body = options.rawBody;
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  assertResponseMatchesDocument({ method, path, status: response.status, headers: response.headers, contentType, text });
  let parsed: unknown = text;
  if (/json/.test(contentType) && text !== '') parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, contentType, body: parsed as Body, text };
}

/** Binds a base URL (and optionally a key) so tests read as `client.post('/v1/keys', {json})`. */
export function apiClient(baseUrl: string, key?: string) {
  const call =
    (method: string) =>
    (path: string, options: ApiRequestOptions = {}) =>
      api(baseUrl, method, path, { ...(key !== undefined ? { key } : {}), ...options });
  return { get: call('GET'), post: call('POST'), patch: call('PATCH'), put: call('PUT'), delete: call('DELETE') };
}
