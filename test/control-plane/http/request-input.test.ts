/**
 * Input the API refuses rather than guesses at (http/json-body.ts, domain/names.ts,
 * domain/cidr.ts), and OPTIONS answered like any other unsupported method.
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { request as httpRequest } from 'node:http';
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

  test('two Content-Type headers are 415 (ambiguous), whichever comes first', async () => {
    const send = (contentTypes: string[]) =>
      new Promise<{ status: number; body: { code?: string } }>((resolve, reject) => {
        const body = JSON.stringify({ name: 'two-types', scopes: ['sites:read'] });
        const request = httpRequest(`${cp.url}/v1/keys`, { method: 'POST' }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        });
        request.on('error', reject);
        request.setHeader('authorization', `Bearer ${cp.ownerKey}`);
        // An array value is sent as one header line per element.
        request.setHeader('content-type', contentTypes);
        request.end(body);
      });
    for (const order of [
      ['application/json', 'text/plain'],
      ['text/plain', 'application/json'],
      ['application/json', 'application/json'],
    ]) {
      const response = await send(order);
      expect({ order, status: response.status, code: response.body.code }).toEqual({ order, status: 415, code: 'unsupported_media_type' });
    }
    expect((await send(['application/json'])).status).toBe(201);
    expect((await owner.get('/v1/keys?name=two-types')).body.items).toHaveLength(1);
  });

  test('a change that takes no body refuses one: 400 for JSON, 415 for anything else; nothing is done', async () => {
    const keysBefore = (await owner.get('/v1/keys')).body.items.length;
    const json = await raw('/v1/sessions', '{"a":1}');
    expect(json.status).toBe(400);
    expect(json.contentType).toMatch(/^application\/problem\+json/);
    expect(json.body).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '', detail: expect.stringContaining('takes no request body') }] });
    expect(json.headers.get('set-cookie')).toBeNull();

    const minted = await owner.post('/v1/keys', { json: { name: 'renewable', scopes: ['sites:read'], ttl: '1h', ephemeral: true } });
    expect(minted.status).toBe(201);
    const renewPath = `/v1/keys/${minted.body.id}/renew`;
    const garbage = await raw(renewPath, 'garbage', 'text/plain');
    expect(garbage.status).toBe(415);
    expect(garbage.body.code).toBe('unsupported_media_type');
    expect((await api(cp.url, 'POST', renewPath, { key: cp.ownerKey, rawBody: 'garbage' })).status).toBe(415);
    expect((await raw(renewPath, '{}')).status).toBe(400);
    const renewals = async () =>
      ((await owner.get('/v1/audit')).body.items as Array<{ action: string; target: string }>).filter(
        (entry) => entry.action === 'key.renew' && entry.target === minted.body.id,
      ).length;
    expect(await renewals()).toBe(0);
    // Without a body (or with an empty one) the same calls work.
    expect((await owner.post(renewPath)).status).toBe(200);
    expect((await raw(renewPath, '')).status).toBe(200);
    expect(await renewals()).toBe(2);
    expect((await owner.delete(`/v1/keys/${minted.body.id}`, { rawBody: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await owner.get('/v1/keys')).body.items.length).toBe(keysBefore + 1);
    // rotate's body stays optional: none, or its JSON options.
    expect((await owner.post(`/v1/keys/${minted.body.id}/rotate`)).status).toBe(200);
  });

  test('a query parameter is 400 naming it on routes that take none', async () => {
    for (const [method, path] of [
      ['GET', '/v1/whoami?x=1'],
      ['POST', '/v1/keys?x=1'],
      ['POST', '/v1/sessions?x=1'],
    ] as const) {
      const response = await api(cp.url, method, path, {
        key: cp.ownerKey,
        ...(method === 'POST' && path.startsWith('/v1/keys') ? { json: { name: 'q', scopes: ['sites:read'] } } : {}),
      });
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 400, code: 'validation_failed' });
      expect(response.body.errors).toEqual([expect.objectContaining({ parameter: 'x' })]);
    }
  });
});
