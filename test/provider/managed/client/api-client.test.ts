/**
 * The retrying client against a real HTTP server on a random loopback port that misbehaves on
 * purpose: answers 503/429, drops the connection after committing, never answers.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManagedApiClient, ApiClientOptions } from '../../../../provider/src/managed/client/api-client';
import { ApiError, ApiUnreachableError } from '../../../../provider/src/managed/client/problem';

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (request: SeenRequest, response: http.ServerResponse, attempt: number) => void;

async function startServer(handler: Handler): Promise<{ url: string; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      handler(request, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const sleeps: number[] = [];
function client(url: string, options: Partial<ApiClientOptions> = {}): ManagedApiClient {
  return new ManagedApiClient({
    endpoint: url,
    token: 'mdk_test',
    // Real timers with tiny delays keep the test quick while still exercising the wait path.
    backoff: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
    ...options,
  });
}

const keyRecord = {
  id: 'key_1',
  name: 'ci',
  description: null,
  preset: null,
  scopes: ['sites:read'],
  effective_scopes: ['sites:read'],
  constraint: null,
  ip_allowlist: [],
  status: 'active',
  principal_id: 'prin_1',
  created_by: 'prin_1',
  created_at: '2026-01-01T00:00:00.000Z',
  expires_at: '2026-04-01T00:00:00.000Z',
  revoked_at: null,
  last_used_at: null,
  last_used_ip: null,
};

let server: Awaited<ReturnType<typeof startServer>> | undefined;
beforeEach(() => {
  sleeps.length = 0;
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ManagedApiClient retries', () => {
  it('retries 5xx with the same Idempotency-Key until the create succeeds', async () => {
    server = await startServer((request, res, attempt) => {
      if (attempt <= 2) json(res, 503, { title: 'Service Unavailable', status: 503 });
      else json(res, 201, { ...keyRecord, secret: 'mdk_secret' });
    });
    const minted = await client(server.url).createKey({ name: 'ci', scopes: ['sites:read'] }, 'idem-1');
    expect(minted.secret).toBe('mdk_secret');
    expect(server.seen).toHaveLength(3);
    expect(server.seen.map((r) => r.headers['idempotency-key'])).toEqual(['idem-1', 'idem-1', 'idem-1']);
    expect(server.seen.map((r) => r.body)).toEqual(Array(3).fill(JSON.stringify({ name: 'ci', scopes: ['sites:read'] })));
    expect(server.seen[0]!.headers.authorization).toBe('Bearer mdk_test');
  });

  it('recovers when the server commits and then drops the connection, without minting twice', async () => {
    const minted = new Map<string, unknown>();
    server = await startServer((request, res) => {
      const key = String(request.headers['idempotency-key']);
      const replay = minted.get(key);
      if (replay) {
        json(res, 201, replay);
        return;
      }
      const created = { ...keyRecord, id: `key_${minted.size + 1}`, secret: `mdk_secret_${minted.size + 1}` };
      minted.set(key, created);
      // Committed; the answer never arrives.
      res.socket?.destroy();
    });
    const result = await client(server.url).createKey({ name: 'ci', scopes: ['sites:read'] }, 'idem-drop');
    expect(result).toMatchObject({ id: 'key_1', secret: 'mdk_secret_1' });
    expect(minted.size).toBe(1);
    expect(server.seen).toHaveLength(2);
  });

  it("honours a 429's Retry-After", async () => {
    server = await startServer((request, res, attempt) => {
      if (attempt === 1) json(res, 429, { title: 'Too Many Requests', status: 429 }, { 'retry-after': '2' });
      else json(res, 200, keyRecord);
    });
    await expect(client(server.url).getKey('key_1')).resolves.toMatchObject({ id: 'key_1' });
    expect(sleeps).toEqual([2000]);
  });

  it('times out an attempt that never answers and tries again', async () => {
    server = await startServer((request, res, attempt) => {
      if (attempt === 1) return; // hold the request open forever
      json(res, 200, keyRecord);
    });
    await expect(client(server.url, { timeoutMs: 150 }).getKey('key_1')).resolves.toMatchObject({ id: 'key_1' });
    expect(server.seen).toHaveLength(2);
  });

  it('never retries a POST without an Idempotency-Key', async () => {
    server = await startServer((request, res) => json(res, 503, { title: 'Service Unavailable', status: 503 }));
    await expect(client(server.url).request('POST', '/v1/keys', { body: { name: 'x' } })).rejects.toBeInstanceOf(ApiError);
    expect(server.seen).toHaveLength(1);
  });

  it('retries a 409 for an idempotent create whose first attempt is still in flight', async () => {
    server = await startServer((request, res, attempt) => {
      if (attempt === 1) json(res, 409, { title: 'Conflict', status: 409, detail: 'a request with this Idempotency-Key is in progress' });
      else json(res, 201, { ...keyRecord, secret: 'mdk_s' });
    });
    await expect(client(server.url).createKey({ name: 'ci', preset: 'read-only' }, 'idem-409')).resolves.toMatchObject({ secret: 'mdk_s' });
    expect(server.seen).toHaveLength(2);
  });

  it('gives up after maxAttempts with the last answer', async () => {
    server = await startServer((request, res) => json(res, 502, { title: 'Bad Gateway', status: 502, detail: 'upstream down' }));
    const failure = await client(server.url)
      .getKey('key_1')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).problem).toMatchObject({ status: 502, detail: 'upstream down' });
    expect(server.seen).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });

  it('reports an unreachable endpoint after retrying', async () => {
    const probe = await startServer(() => undefined);
    const deadUrl = probe.url;
    await probe.close();
    const failure = await client(deadUrl)
      .whoami()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiUnreachableError);
    expect((failure as ApiUnreachableError).attempts).toBe(4);
    expect((failure as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('stops waiting when cancelled', async () => {
    server = await startServer((request, res) => json(res, 503, { title: 'Service Unavailable', status: 503 }));
    const controller = new AbortController();
    const pending = new ManagedApiClient({ endpoint: server.url, token: 't', backoff: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, signal: controller.signal })
      .getKey('key_1')
      .catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toBeInstanceOf(ApiUnreachableError);
    expect(server.seen).toHaveLength(1);
  });
});

describe('ManagedApiClient answers', () => {
  it('turns problem+json into an ApiError carrying detail and pointers, without retrying a 4xx', async () => {
    server = await startServer((request, res) =>
      json(res, 400, {
        type: 'about:blank',
        title: 'Invalid request body',
        status: 400,
        detail: 'scopes: unknown scope "sites:raed"',
        errors: [{ pointer: '/scopes/0', detail: 'unknown scope "sites:raed"; did you mean "sites:read"?' }],
      }),
    );
    const failure = (await client(server.url)
      .createKey({ name: 'x', scopes: ['sites:raed'] }, 'idem-400')
      .catch((e: unknown) => e)) as ApiError;
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure.status).toBe(400);
    expect(failure.problem.errors).toEqual([{ pointer: '/scopes/0', detail: 'unknown scope "sites:raed"; did you mean "sites:read"?' }]);
    expect(server.seen).toHaveLength(1);
  });

  it('maps a missing key to null and treats revoking a missing key as done', async () => {
    server = await startServer((request, res) => json(res, 404, { title: 'Not Found', status: 404 }));
    await expect(client(server.url).getKey('key_gone')).resolves.toBeNull();
    await expect(client(server.url).revokeKey('key_gone')).resolves.toBeUndefined();
    expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/keys/key_gone', 'DELETE /v1/keys/key_gone']);
  });

  it('accepts an endpoint with or without /v1 and a trailing slash', async () => {
    server = await startServer((request, res) => json(res, 200, { principal_id: 'prin_1' }));
    await client(`${server.url}/v1/`).whoami();
    await client(`${server.url}/`).whoami();
    expect(server.seen.map((r) => r.url)).toEqual(['/v1/whoami', '/v1/whoami']);
  });

  it('follows cursors when listing keys', async () => {
    server = await startServer((request, res) => {
      const cursor = new URL(request.url, 'http://x').searchParams.get('cursor');
      if (!cursor) json(res, 200, { items: [keyRecord], next_cursor: 'c2' });
      else json(res, 200, { items: [{ ...keyRecord, id: 'key_2' }], next_cursor: null });
    });
    const keys = await client(server.url).listKeys({ name: 'ci' });
    expect(keys.map((k) => k.id)).toEqual(['key_1', 'key_2']);
    expect(server.seen[0]!.url).toBe('/v1/keys?name=ci&limit=100');
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(() => new ManagedApiClient({ endpoint: 'not a url', token: 't' })).toThrow(/not a URL/);
    expect(() => new ManagedApiClient({ endpoint: 'ftp://host', token: 't' })).toThrow(/http:\/\/ or https:\/\//);
  });
});
