/**
 * One HTTP exchange over node:http(s), no retries. Uses the core modules rather than fetch:
 * they are already loaded by Node, cost nothing at provider start, and give precise errors
 * (ECONNRESET, ECONNREFUSED) that the retry policy can classify.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { deferredExtraCaCertificates } from '../../framework/plugin/extra-ca-certificates';

export interface TransportRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The whole exchange (connect, send, receive the full body) must finish within this time. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** The request did not complete in time; retryable like any other network failure. */
export class RequestTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

// Keep-alive matters: a `terraform plan` refreshing hundreds of keys otherwise pays a TCP handshake per key.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let httpsAgent: https.Agent | undefined;

function moduleFor(url: URL): { request: typeof http.request; agent: http.Agent } {
  if (url.protocol === 'http:') return { request: http.request, agent: httpAgent };
  if (url.protocol === 'https:') {
    // The agent is made on first use: most local runs speak plain HTTP, and the trust store
    // (with NODE_EXTRA_CA_CERTS, which the launcher defers to this point) is costly to build.
    httpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: 16, ca: deferredExtraCaCertificates() });
    return { request: https.request, agent: httpsAgent };
  }
  throw new Error(`unsupported URL scheme "${url.protocol}" in ${url.href}: use http:// or https://`);
}

export function sendRequest(request: TransportRequest): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    const { request: send, agent } = moduleFor(request.url);
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    let settled = false;
    const finish = (error: Error | undefined, response?: TransportResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response!);
    };
    const outgoing = send(request.url, { method: request.method, headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', (error) => finish(error));
      // 'aborted' covers a server that drops the connection halfway through the body.
      incoming.on('aborted', () => finish(new Error('connection closed before the response body was complete')));
      incoming.on('end', () => {
        if (!incoming.complete) {
          finish(new Error('connection closed before the response body was complete'));
          return;
        }
        finish(undefined, {
          status: incoming.statusCode ?? 0,
          statusText: incoming.statusMessage ?? '',
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const timer = setTimeout(() => {
      const error = new RequestTimeoutError(request.timeoutMs);
      outgoing.destroy(error);
      finish(error);
    }, request.timeoutMs);
    const onAbort = (): void => {
      const error = new Error('request cancelled');
      error.name = 'AbortError';
      outgoing.destroy(error);
      finish(error);
    };
    if (request.signal?.aborted) {
      onAbort();
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error) => finish(error));
    outgoing.end(request.body);
  });
}
