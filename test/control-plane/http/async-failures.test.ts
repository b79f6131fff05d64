/**
 * Handlers, target resolvers and changes are asynchronous now: whatever rejects, on the fast path
 * or through Express, ends as the one problem+json 500, is reported on stderr, and leaves the
 * server serving. A failed change leaves nothing behind.
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api } from '../../support/http';
import { defineRoute } from '../../../control-plane/src/http/route-definition';
import { ROUTES } from '../../../control-plane/src/http/route-table';

const failingRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/test/failing-read',
    scope: null,
    summary: 'A read whose handler rejects',
    tags: ['test'],
    querySchema: { type: 'object', additionalProperties: false, properties: { via: { type: 'string' } } },
    responses: { 200: { description: 'never' } },
    handler: async () => {
      await Promise.resolve();
      throw new Error('the database went away');
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/test/failing-target/{id}',
    scope: null,
    summary: 'A read whose target resolver rejects',
    tags: ['test'],
    resolveTarget: async () => {
      await Promise.resolve();
      throw new Error('the lookup failed');
    },
    responses: { 200: { description: 'never' } },
    handler: () => ({ status: 200, body: {} }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/test/failing-change',
    scope: null,
    summary: 'A change that writes, then rejects',
    tags: ['test'],
    responses: { 201: { description: 'never' } },
    handler: async ({ services }) => {
      await services.db.run("INSERT INTO settings (name, value) VALUES ('half-done', '1')");
      throw new Error('the change failed half way');
    },
  }),
];

describe('a rejection anywhere in a request', () => {
  let cp: TestControlPlane;
  let stderr: jest.SpyInstance;
  beforeAll(async () => {
    cp = await startControlPlane({ routes: [...failingRoutes, ...ROUTES] });
  });
  afterAll(() => cp.close());
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  const expectInternalError = (response: Awaited<ReturnType<typeof api>>, path: string) => {
    expect(response.status).toBe(500);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'internal_error', status: 500, instance: path });
    expect(JSON.stringify(response.body)).not.toMatch(/database went away|lookup failed|half way/);
  };

  test.each([
    ['the fast path', '/v1/test/failing-read'],
    ['Express (a query string)', '/v1/test/failing-read?via=express'],
    ['the fast path, in the target resolver', '/v1/test/failing-target/x'],
  ])('%s: a rejected read is a problem+json 500', async (_label, path) => {
    const response = await api(cp.url, 'GET', path, { key: cp.ownerKey });
    expectInternalError(response, path.split('?')[0]!);
    expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toMatch(/unexpected error on GET/);
  });

  test('a change that rejects after writing is a 500, and its write is rolled back', async () => {
    const response = await api(cp.url, 'POST', '/v1/test/failing-change', { key: cp.ownerKey });
    expectInternalError(response, '/v1/test/failing-change');
    expect(await cp.server.services.db.get("SELECT 1 FROM settings WHERE name = 'half-done'")).toBeUndefined();
    // And the server keeps serving.
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: cp.ownerKey })).status).toBe(200);
  });
});
