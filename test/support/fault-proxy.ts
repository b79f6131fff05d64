/**
 * A small HTTP proxy on a random loopback port that sits in front of a real control plane and
 * misbehaves on demand: refuse a request with 503 before it reaches the server, forward it
 * and drop the connection after the server committed (the client never sees the answer), or
 * hold the answer back for a second (so what the client does meanwhile is observable).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'pass' | 'refuse' | 'drop-after-commit' | 'slow';

/** How long a 'slow' answer is held back. */
export const SLOW_ANSWER_MS = 1000;

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string without "?" ("" when there is none). */
  readonly query: string;
  readonly headers: http.IncomingHttpHeaders;
  /** 1-based count of requests with this method and path so far, this one included. */
  readonly occurrence: number;
}

/**
 * The key reads among `requests`, each as the ids it asked for: a batch's `id` parameters
 * (GET /v1/keys?id=…) or the one id of a lone GET /v1/keys/{id}.
 */
export function keyReadIds(requests: readonly ProxiedRequest[]): string[][] {
  return requests
    .filter((request) => request.method === 'GET' && request.path.startsWith('/v1/keys'))
    .map((request) => (request.path === '/v1/keys' ? new URLSearchParams(request.query).getAll('id') : [request.path.slice('/v1/keys/'.length)]));
}

export interface FaultProxy {
  readonly url: string;
  /** Every request seen, with the fault applied to it. */
  readonly log: Array<ProxiedRequest & { fault: Fault }>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, decide: (request: ProxiedRequest) => Fault): Promise<FaultProxy> {
  const upstream = new URL(target);
  const counts = new Map<string, number>();
  const log: FaultProxy['log'] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const counter = `${req.method} ${path}`;
      const occurrence = (counts.get(counter) ?? 0) + 1;
      counts.set(counter, occurrence);
      const query = (req.url ?? '').split('?')[1] ?? '';
      const request = { method: req.method ?? 'GET', path, query, headers: req.headers, occurrence };
      const fault = decide(request);
      log.push({ ...request, fault });
      if (fault === 'refuse') {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' });
        res.end(JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'injected by the test proxy' }));
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          if (fault === 'drop-after-commit') {
            // The server has answered, so it committed; the client only sees a reset connection.
            req.socket.destroy();
            return;
          }
          const reply = (): void => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          };
          if (fault === 'slow') setTimeout(reply, SLOW_ANSWER_MS);
          else reply();
        });
      });
      forward.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy could not reach the control plane: ${error.message}`);
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
