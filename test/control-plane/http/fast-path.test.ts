/**
 * The fast path (http/fast-path.ts) must be invisible: same status, headers and body as Express,
 * refusals included, since both run the one pipeline (http/request-pipeline.ts).
 */
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { withFastPath } from '../../../control-plane/src/http/fast-path';
import { MAX_BODY_BYTES } from '../../../control-plane/src/http/request-pipeline';
import { defineRoute } from '../../../control-plane/src/http/route-definition';
import { ROUTES } from '../../../control-plane/src/http/route-table';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient, type ApiRequestOptions } from '../../support/http';
import { mintKey, seedBranch } from '../../support/resource-tree';

/**
 * The same request with an empty query string ("?"), which the fast path always hands to Express.
 * Sent with node:http, because fetch drops an empty "?" (and a real parameter is refused by routes
 * that take none).
 */
function viaExpress(
  baseUrl: string,
  method: string,
  path: string,
  options: ApiRequestOptions = {},
): Promise<{ status: number; headers: Headers; text: string; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    // Host and port from the URL, the path as given: a URL object would drop the empty "?" too.
    const { hostname, port } = new URL(baseUrl);
    const sent = httpRequest({ hostname, port, path: `${path}?`, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const answered = new Headers();
        for (const [name, value] of Object.entries(response.headers))
          if (value !== undefined) answered.set(name, Array.isArray(value) ? value.join(', ') : value);
        resolve({
          status: response.statusCode!,
          headers: answered,
          text,
          body: /json/.test(response.headers['content-type'] ?? '') && text !== '' ? JSON.parse(text) : text,
        });
      });
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

describe('GET fast path', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  const headersOf = (r: { headers: Headers }) => [...r.headers.entries()].filter(([name]) => name !== 'date');

  test('answers exactly like Express does', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'fast');
    const key = await mintKey(owner, { name: 'reader', preset: 'read-only', constraint: { site_id: branch.siteId } });
    for (const path of [`/v1/sites/${branch.siteId}`, '/v1/whoami', `/v1/sites/${branch.siteId}/env`, `/v1/keys/${key.id}`]) {
      const fast = await api(cp.url, 'GET', path, { key: key.secret });
      // A query string always takes the Express pipeline.
      const express = await viaExpress(cp.url, 'GET', path, { key: key.secret });
      expect(fast.status).toBe(200);
      expect(fast.text).toBe(express.text);
      expect(headersOf(fast)).toEqual(headersOf(express));
    }
  });

  test('reads paths exactly as Express does: trailing slash, empty segments, percent-encoding, case', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'paths');
    const key = await mintKey(owner, { name: 'paths', preset: 'read-only' });
    const encodedId = [...branch.siteId].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
    const cases: Array<[string, number]> = [
      [`/v1/sites/${branch.siteId}/`, 200],
      [`/v1/sites/${encodedId}`, 200],
      [`/v1/sites/${branch.siteId}/env/`, 200],
      [`/v1/sites/${branch.siteId}//`, 404],
      [`/v1/sites//${branch.siteId}`, 404],
      [`/v1/sites/${branch.siteId}/%E0%A4%A`, 404],
      [`/v1/sites/%E0%A4%A`, 400],
      [`/V1/sites/${branch.siteId}`, 404],
      ['/v1/whoami/', 200],
    ];
    for (const [path, status] of cases) {
      const fast = await api(cp.url, 'GET', path, { key: key.secret });
      const express = await viaExpress(cp.url, 'GET', path, { key: key.secret });
      expect({ path, status: fast.status }).toEqual({ path, status });
      expect(fast.text).toBe(express.text);
      expect(headersOf(fast).filter(([name]) => name !== 'content-length')).toEqual(headersOf(express).filter(([name]) => name !== 'content-length'));
    }
  });

  test('refuses exactly like Express does, and records the refusal once', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'refusals');
    const other = await seedBranch(owner, 'refusals-other');
    const constrained = await mintKey(owner, { name: 'refusals-site', scopes: ['sites:read'], constraint: { site_id: branch.siteId } });
    const elsewhere = await mintKey(owner, { name: 'refusals-net', preset: 'read-only', ip_allowlist: ['192.0.2.0/24'] });
    const revoked = await mintKey(owner, { name: 'refusals-revoked', preset: 'read-only' });
    expect((await owner.delete(`/v1/keys/${revoked.id}`)).status).toBe(200);
    const cases: Array<[string, string | undefined, number]> = [
      ['/v1/whoami', undefined, 401],
      ['/v1/whoami', 'mdk_malformed', 401],
      ['/v1/whoami', revoked.secret, 401],
      ['/v1/whoami', elsewhere.secret, 403],
      [`/v1/sites/${branch.siteId}/env`, constrained.secret, 403],
      [`/v1/sites/${other.siteId}`, constrained.secret, 404],
      ['/v1/sites/site_doesnotexist0000000000', constrained.secret, 404],
    ];
    await cp.server.services.denials.flush(); // refusals are audited after their response
    const denialsBefore = (await owner.get('/v1/audit?outcome=denied&limit=100')).body.items.length;
    for (const [path, key, status] of cases) {
      const fast = await api(cp.url, 'GET', path, key === undefined ? {} : { key });
      const express = await viaExpress(cp.url, 'GET', path, key === undefined ? {} : { key });
      expect({ path, status: fast.status }).toEqual({ path, status });
      expect(fast.text).toBe(express.text);
      expect(headersOf(fast)).toEqual(headersOf(express));
    }
    // Each known key's refusal is audited once per request (revoked, wrong network, scope, outside the constraint); the missing id is not.
    await cp.server.services.denials.flush(); // refusals are audited after their response
    const denials = (await owner.get('/v1/audit?outcome=denied&limit=100')).body.items.slice(0, -denialsBefore || undefined);
    expect(denials.map((entry: { detail: string }) => entry.detail).sort()).toEqual(
      [
        'invalid_token',
        'invalid_token',
        'ip_not_allowed',
        'ip_not_allowed',
        'insufficient_scope (env:read)',
        'insufficient_scope (env:read)',
        'not_found (outside_constraint)',
        'not_found (outside_constraint)',
      ].sort(),
    );
  });

  test('a changed site is answered changed at once, although its rendering is kept between writes', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'renamed');
    const key = await mintKey(owner, { name: 'renamed', scopes: ['sites:read'] });
    const path = `/v1/sites/${branch.siteId}`;
    expect((await api(cp.url, 'GET', path, { key: key.secret })).body.name).toBe('renamed-site');
    expect((await owner.patch(path, { json: { name: 'renamed-again', runtime: 'node' } })).status).toBe(200);
    const fast = await api(cp.url, 'GET', path, { key: key.secret });
    expect(fast.body).toMatchObject({ name: 'renamed-again', runtime: 'node' });
    expect(fast.text).toBe((await viaExpress(cp.url, 'GET', path, { key: key.secret })).text);
  });

  test('a well-formed secret is found by its hash; a damaged copy of a busy key is still refused offline', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = await mintKey(owner, { name: 'busy', preset: 'read-only' });
    // The first use queues a last-used write, which (like any write) empties the caches once it
    // commits: wait for that (on PostgreSQL the commit may land after the next response); the
    // second use fills them again, and nothing is written after it within the minute.
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: key.secret })).status).toBe(200);
    await cp.server.services.lastUsed.flush();
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: key.secret })).status).toBe(200);
    const lookups = jest.spyOn(cp.server.services.keys, 'findBySecretHash');
    try {
      expect((await api(cp.url, 'GET', '/v1/whoami', { key: key.secret })).status).toBe(200);
      const damaged = key.secret.slice(0, -1) + (key.secret.endsWith('a') ? 'b' : 'a');
      const refused = await api(cp.url, 'GET', '/v1/whoami', { key: damaged });
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toBe('The key fails its checksum: it was mistyped or truncated.');
      const truncated = await api(cp.url, 'GET', '/v1/whoami', { key: key.secret.slice(0, 30) });
      expect(truncated.body.detail).toBe('The key is malformed: expected "mdk_" followed by 46 letters and digits.');
      // The cached key needed no query, and neither damaged secret reached the database.
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });

  test('when two routes match a path, the earlier one in the table answers, as in Express', async () => {
    const routes = [
      defineRoute({
        method: 'get',
        path: '/v1/things/{id}',
        scope: null,
        summary: 'by id',
        tags: ['test'],
        responses: { 200: { description: 'which' } },
        handler: ({ params }) => ({ status: 200, body: { route: 'by id', id: params.id } }),
      }),
      defineRoute({
        method: 'get',
        path: '/v1/things/special',
        scope: null,
        summary: 'literal',
        tags: ['test'],
        responses: { 200: { description: 'which' } },
        handler: () => ({ status: 200, body: { route: 'literal' } }),
      }),
      defineRoute({
        method: 'get',
        path: '/v1/things/special/{part}',
        scope: null,
        summary: 'literal then parameter',
        tags: ['test'],
        responses: { 200: { description: 'which' } },
        handler: ({ params }) => ({ status: 200, body: { route: 'literal then parameter', part: params.part } }),
      }),
    ];
    const server = await startControlPlane({ routes });
    try {
      const ownerKey = server.ownerKey;
      for (const [path, expected] of [
        ['/v1/things/special', { route: 'by id', id: 'special' }],
        ['/v1/things/other', { route: 'by id', id: 'other' }],
        ['/v1/things/special/a', { route: 'literal then parameter', part: 'a' }],
      ] as const) {
        const fast = await api(server.url, 'GET', path, { key: ownerKey });
        expect(fast.body).toEqual(expected);
        expect(fast.text).toBe((await viaExpress(server.url, 'GET', path, { key: ownerKey })).text);
      }
    } finally {
      await server.close();
    }
  });

  test('sees a revocation, a demotion and a deletion at once despite its caches', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'cached');
    const key = await mintKey(owner, { name: 'cached', scopes: ['sites:read'] });
    const path = `/v1/sites/${branch.siteId}`;
    expect((await api(cp.url, 'GET', path, { key: key.secret })).status).toBe(200);
    expect((await owner.delete(path)).status).toBe(204);
    expect((await api(cp.url, 'GET', path, { key: key.secret })).status).toBe(404);
    expect((await owner.delete(`/v1/keys/${key.id}`)).status).toBe(200);
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: key.secret })).status).toBe(401);
  });
});

describe('fast path for writes', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  const headerNames = (r: { headers: Headers }) => [...r.headers.keys()].filter((name) => name !== 'date');
  const headersOf = (r: { headers: Headers }) => [...r.headers.entries()].filter(([name]) => name !== 'date');

  test('mints like Express does: same status, same headers, same record apart from ids, secret and times', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const body = { name: 'twin', preset: 'deploy-bot', ttl: '30d', ip_allowlist: ['127.0.0.0/8'] };
    const fast = await owner.post('/v1/keys', { json: body });
    const express = await viaExpress(cp.url, 'POST', '/v1/keys', { key: cp.ownerKey, json: body });
    expect(fast.status).toBe(201);
    expect(express.status).toBe(201);
    expect(headerNames(fast)).toEqual(headerNames(express));
    expect(fast.headers.get('location')).toBe(`/v1/keys/${fast.body.id}`);
    const comparable = (record: Record<string, unknown>) => {
      const { id, secret, created_at, expires_at, ...rest } = record;
      return { ...rest, id: typeof id, secret: typeof secret, created_at: typeof created_at, expires_at: typeof expires_at };
    };
    expect(comparable(fast.body)).toEqual(comparable(express.body));
    // Both keys work, and both mints were audited alike.
    for (const minted of [fast.body, express.body]) expect((await api(cp.url, 'GET', '/v1/whoami', { key: minted.secret })).status).toBe(200);
    const entries = (await owner.get('/v1/audit?action=key.create&limit=2')).body.items;
    expect(entries.map((entry: { target: string }) => entry.target).sort()).toEqual([fast.body.id, express.body.id].sort());
    expect(entries[0].detail).toBe(entries[1].detail);
  });

  test('refuses bad writes exactly like Express does', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const narrow = await mintKey(owner, { name: 'narrow-minter', scopes: ['keys:write', 'sites:read'] });
    const target = await mintKey(owner, { name: 'patch-target', preset: 'read-only' });
    const json = { 'content-type': 'application/json' };
    const cases: Array<{ method: string; path: string; key?: string; headers?: Record<string, string>; body?: string | Buffer; status: number }> = [
      { method: 'POST', path: '/v1/keys', headers: json, body: '{"name":"x","preset":"read-only"}', status: 401 },
      { method: 'POST', path: '/v1/keys', key: cp.ownerKey, headers: json, body: '{"preset":"read-only"}', status: 400 },
      { method: 'POST', path: '/v1/keys', key: cp.ownerKey, headers: json, body: '{"name":"a","name":"b","preset":"read-only"}', status: 400 },
      { method: 'POST', path: '/v1/keys', key: cp.ownerKey, headers: json, body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), status: 400 },
      { method: 'POST', path: '/v1/keys', key: cp.ownerKey, headers: json, body: '{"name":', status: 400 },
      { method: 'POST', path: '/v1/keys', key: cp.ownerKey, headers: { 'content-type': 'text/plain' }, body: '{}', status: 415 },
      {
        method: 'POST',
        path: '/v1/keys',
        key: cp.ownerKey,
        headers: { 'content-type': 'application/json; charset=utf-8; charset=latin1' },
        body: '{}',
        status: 415,
      },
      { method: 'POST', path: '/v1/keys', key: cp.ownerKey, status: 400 },
      { method: 'POST', path: '/v1/keys', key: narrow.secret, headers: json, body: '{"name":"up","scopes":["exec:raw"]}', status: 403 },
      { method: 'PATCH', path: `/v1/keys/${target.id}`, key: narrow.secret, headers: json, body: '{"ip_allowlist":["10.0.0.0/8"]}', status: 403 },
      { method: 'PATCH', path: `/v1/keys/${target.id}`, key: cp.ownerKey, headers: json, body: '{"ttl":"1d"}', status: 400 },
      { method: 'DELETE', path: '/v1/keys/key_doesnotexist0000000000', key: cp.ownerKey, status: 404 },
      { method: 'POST', path: `/v1/keys/${target.id}/renew`, key: cp.ownerKey, status: 409 },
    ];
    for (const { method, path, key, headers, body, status } of cases) {
      const options = { ...(key !== undefined ? { key } : {}), ...(headers ? { headers } : {}), ...(body !== undefined ? { rawBody: body } : {}) };
      const fast = await api(cp.url, method, path, options);
      const express = await viaExpress(cp.url, method, path, options);
      expect({ method, path, status: fast.status }).toEqual({ method, path, status });
      expect(fast.text).toBe(express.text);
      expect(headersOf(fast)).toEqual(headersOf(express));
    }
  });

  test('chunked and compressed bodies still go to Express, which reads them as before', async () => {
    const body = JSON.stringify({ name: 'streamed', preset: 'read-only' });
    const chunked = await fetch(`${cp.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cp.ownerKey}`, 'content-type': 'application/json' },
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(201);
    const compressed = await api(cp.url, 'POST', '/v1/keys', {
      key: cp.ownerKey,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      rawBody: gzipSync(body),
    });
    expect(compressed.status).toBe(201);
    const tooLarge = await api(cp.url, 'POST', '/v1/keys', {
      key: cp.ownerKey,
      headers: { 'content-type': 'application/json' },
      rawBody: 'x'.repeat(MAX_BODY_BYTES + 1),
    });
    expect(tooLarge.status).toBe(413);
  });

  test('takes exactly the requests it can answer like Express, and hands every other one over untouched', async () => {
    // Express replaced by a marker: whatever reaches it was not served by the fast path.
    const server = createServer(
      withFastPath(
        (_request, response) => {
          response.writeHead(299).end('express');
        },
        cp.server.services,
        ROUTES,
      ),
    ).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const owner = { authorization: `Bearer ${cp.ownerKey}`, 'content-type': 'application/json' };
      const mint = JSON.stringify({ name: 'routed', preset: 'read-only' });
      const send = (method: string, path: string, init: RequestInit = {}) =>
        fetch(`${url}${path}`, { method, ...init }).then(async (r) => ({ status: r.status, text: await r.text() }));
      // Served here: authenticated routes of the request's method, without a query string.
      expect((await send('POST', '/v1/keys', { headers: owner, body: mint })).status).toBe(201);
      expect((await send('GET', '/v1/whoami', { headers: owner })).status).toBe(200);
      expect((await send('POST', '/v1/keys', { headers: { 'content-type': 'application/json' }, body: mint })).status).toBe(401);
      // Handed over: a query string, a public route, a method no route of the path has, an unknown
      // path, chunked, compressed or oversized bodies, a malformed parameter.
      const handedOver: Array<[string, string, RequestInit?]> = [
        ['POST', '/v1/keys?via=express', { headers: owner, body: mint }],
        ['GET', '/v1/scopes'],
        ['PUT', '/v1/keys', { headers: owner, body: mint }],
        ['POST', '/v1/nothing-here', { headers: owner, body: mint }],
        ['POST', '/v1/keys', { headers: owner, body: new Blob([mint]).stream(), duplex: 'half' } as RequestInit],
        ['POST', '/v1/keys', { headers: { ...owner, 'content-encoding': 'gzip' }, body: gzipSync(mint) }],
        ['POST', '/v1/keys', { headers: owner, body: 'x'.repeat(MAX_BODY_BYTES + 1) }],
        ['DELETE', '/v1/keys/%E0%A4%A', { headers: owner }],
      ];
      for (const [method, path, init] of handedOver)
        expect({ method, path, answer: await send(method, path, init) }).toEqual({ method, path, answer: { status: 299, text: 'express' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
