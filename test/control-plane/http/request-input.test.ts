/**
 * Input the API refuses rather than guesses at (http/json-body.ts, domain/names.ts,
 * domain/cidr.ts), and OPTIONS answered like any other unsupported method.
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';

describe('request input', () => {
  let cp: TestControlPlane;
  let owner: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    cp = await startControlPlane();
    owner = apiClient(cp.url, cp.ownerKey);
  });
  afterAll(() => cp.close());

  const raw = (path: string, body: string | Buffer, contentType = 'application/json') =>
    api(cp.url, 'POST', path, { key: cp.ownerKey, rawBody: body, headers: { 'content-type': contentType } });

  test('a member given twice is 400 pointing at the repetition, at any depth', async () => {
    const top = await raw('/v1/teams', '{"name":"first","name":"second"}');
    expect(top.status).toBe(400);
    expect(top.contentType).toMatch(/^application\/problem\+json/);
    expect(top.body).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '/name', detail: expect.stringContaining('more than once') }] });
    // The same name spelled with an escape is the same member.
    expect((await raw('/v1/teams', '{"name":"a","n\\u0061me":"b"}')).body.errors).toEqual([expect.objectContaining({ pointer: '/name' })]);

    const nested = await raw('/v1/keys', '{"name":"k","scopes":["sites:read"],"constraint":{"team_id":"team_a","team_id":"team_b"}}');
    expect(nested.status).toBe(400);
    expect(nested.body.errors).toEqual([expect.objectContaining({ pointer: '/constraint/team_id' })]);
    expect((await owner.get('/v1/teams')).body.items).toEqual([]);
  });

  test('bytes that are not UTF-8 are 400, never replaced', async () => {
    const response = await raw('/v1/teams', Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_encoding');
  });

  test('exactly one charset, and only UTF-8', async () => {
    const body = '{"name":"charset-team"}';
    expect((await raw('/v1/teams', body, 'application/json; charset=utf-8; charset=latin1')).status).toBe(415);
    expect((await raw('/v1/teams', body, 'application/json; charset=utf-8; charset=utf-8')).status).toBe(415);
    expect((await raw('/v1/teams', body, 'application/json; charset=latin1')).status).toBe(415);
    expect((await raw('/v1/teams', body, 'application/json; charset="UTF-8"')).status).toBe(201);
  });

  test('names are NFC-normalized before the uniqueness check and storage', async () => {
    const decomposed = 'cafe\u0301';
    const composed = 'caf\u00e9';
    const created = await owner.post('/v1/teams', { json: { name: decomposed } });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe(composed);
    const again = await owner.post('/v1/teams', { json: { name: composed } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('name_taken');
    const key = await owner.post('/v1/keys', { json: { name: `key-${decomposed}`, scopes: ['sites:read'] } });
    expect(key.body.name).toBe(`key-${composed}`);
    const listed = await owner.get(`/v1/keys?name=${encodeURIComponent(`key-${decomposed}`)}`);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([key.body.id]);
  });

  test('an IPv4-mapped IPv6 allowlist entry is refused with the IPv4 form as the suggestion', async () => {
    const response = await owner.post('/v1/keys', { json: { name: 'mapped', scopes: ['sites:read'], ip_allowlist: ['10.0.0.0/8', '::ffff:7f00:1/128'] } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ pointer: '/ip_allowlist/1', suggestion: '127.0.0.1/32' })]);
  });

  test('OPTIONS is answered like any other unsupported method: 405 problem+json with Allow, or the one 404', async () => {
    const known = await api(cp.url, 'OPTIONS', '/v1/keys');
    expect(known.status).toBe(405);
    expect(known.contentType).toMatch(/^application\/problem\+json/);
    expect(known.headers.get('allow')).toBe('GET, POST');
    expect(known.body).toMatchObject({ code: 'method_not_allowed' });
    const put = await api(cp.url, 'PUT', '/v1/keys');
    expect({ ...known.body, detail: '' }).toEqual({ ...put.body, detail: '' });
    const unknown = await api(cp.url, 'OPTIONS', '/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/^application\/problem\+json/);
  });
});
