/**
 * The GET fast path (http/fast-path.ts) must be invisible: same status, headers and body as
 * Express, refusals included, since both run the one pipeline (http/request-pipeline.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../../control-plane/src/app';
import { defineRoute } from '../../../control-plane/src/http/route-definition';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';
import { mintKey, seedBranch } from '../../support/resource-tree';

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
      const viaExpress = await api(cp.url, 'GET', `${path}?`, { key: key.secret });
      expect(fast.status).toBe(200);
      expect(fast.text).toBe(viaExpress.text);
      expect(headersOf(fast)).toEqual(headersOf(viaExpress));
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
      const viaExpress = await api(cp.url, 'GET', `${path}?`, { key: key.secret });
      expect({ path, status: fast.status }).toEqual({ path, status });
      expect(fast.text).toBe(viaExpress.text.replaceAll(`${path}?`, path));
      expect(headersOf(fast).filter(([name]) => name !== 'content-length')).toEqual(
        headersOf(viaExpress).filter(([name]) => name !== 'content-length'),
      );
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
    const denialsBefore = (await owner.get('/v1/audit?outcome=denied&limit=100')).body.items.length;
    for (const [path, key, status] of cases) {
      const fast = await api(cp.url, 'GET', path, key === undefined ? {} : { key });
      const viaExpress = await api(cp.url, 'GET', `${path}?`, key === undefined ? {} : { key });
      expect({ path, status: fast.status }).toEqual({ path, status });
      expect(fast.text).toBe(viaExpress.text);
      expect(headersOf(fast)).toEqual(headersOf(viaExpress));
    }
    // Each known key's refusal is audited once per request (revoked, wrong network, scope, outside the constraint); the missing id is not.
    const denials = (await owner.get('/v1/audit?outcome=denied&limit=100')).body.items.slice(0, -denialsBefore || undefined);
    expect(denials.map((entry: { detail: string }) => entry.detail).sort()).toEqual(
      ['invalid_token', 'invalid_token', 'ip_not_allowed', 'ip_not_allowed', 'insufficient_scope (env:read)', 'insufficient_scope (env:read)', 'not_found (outside_constraint)', 'not_found (outside_constraint)'].sort(),
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
    expect(fast.text).toBe((await api(cp.url, 'GET', `${path}?`, { key: key.secret })).text);
  });

  test('a well-formed secret is found by its hash; a damaged copy of a busy key is still refused offline', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = await mintKey(owner, { name: 'busy', preset: 'read-only' });
    // The first use queues a last-used write, which (like any write) empties the caches; the
    // second use fills them again, and nothing is written after it within the minute.
    for (let i = 0; i < 2; i++) expect((await api(cp.url, 'GET', '/v1/whoami', { key: key.secret })).status).toBe(200);
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
    const dataDir = mkdtempSync(join(tmpdir(), 'managed-fast-order-'));
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
    const server = await startServer({ env: { MANAGED_DATA_DIR: dataDir }, config: { port: 0, host: '127.0.0.1' }, announce: () => undefined, routes });
    try {
      const ownerKey = server.bootstrap.created ? server.bootstrap.ownerKey : '';
      for (const [path, expected] of [
        ['/v1/things/special', { route: 'by id', id: 'special' }],
        ['/v1/things/other', { route: 'by id', id: 'other' }],
        ['/v1/things/special/a', { route: 'literal then parameter', part: 'a' }],
      ] as const) {
        const fast = await api(server.url, 'GET', path, { key: ownerKey });
        expect(fast.body).toEqual(expected);
        expect(fast.text).toBe((await api(server.url, 'GET', `${path}?`, { key: ownerKey })).text);
      }
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
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
