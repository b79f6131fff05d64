/**
 * Hostile and sloppy input: every request below must get a 4xx RFC 9457 problem (never a 500,
 * never HTML), must mint nothing, and the server must keep serving afterwards.
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';

interface BadRequest {
  readonly label: string;
  readonly method: string;
  /** `{key}` is replaced by the id of an existing key. */
  readonly path: string;
  /** A JSON value to send (serialised), or `raw` bytes. */
  readonly json?: unknown;
  readonly raw?: string | Buffer;
  readonly contentType?: string | null;
  readonly headers?: Record<string, string>;
  readonly anonymous?: boolean;
  readonly status: number;
}

const valid = { name: 'ok-name', scopes: ['sites:read'] };
const create = (label: string, json: unknown, status = 400): BadRequest => ({ label, method: 'POST', path: '/v1/keys', json, status });
const createRaw = (label: string, raw: string | Buffer, status = 400, contentType: string | null = 'application/json'): BadRequest => ({
  label,
  method: 'POST',
  path: '/v1/keys',
  raw,
  contentType,
  status,
});
const patch = (label: string, json: unknown, status = 400): BadRequest => ({ label, method: 'PATCH', path: '/v1/keys/{key}', json, status });
const rotate = (label: string, json: unknown, status = 400): BadRequest => ({ label, method: 'POST', path: '/v1/keys/{key}/rotate', json, status });

const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const nestedArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const CASES: BadRequest[] = [
  // wrong types and nulls, field by field
  create('name is a number', { ...valid, name: 123 }),
  create('name is true', { ...valid, name: true }),
  create('name is an array', { ...valid, name: ['a'] }),
  create('name is an object', { ...valid, name: { first: 'a' } }),
  create('name is null', { ...valid, name: null }),
  create('name is missing', { scopes: ['sites:read'] }),
  create('description is a number', { ...valid, description: 5 }),
  create('description is an array', { ...valid, description: ['x'] }),
  create('preset is a number', { name: 'x', preset: 7 }),
  create('preset is an object', { name: 'x', preset: { name: 'deploy-bot' } }),
  create('scopes is a string', { name: 'x', scopes: 'sites:read' }),
  create('scopes is null', { name: 'x', scopes: null }),
  create('scopes is an object', { name: 'x', scopes: { 'sites:read': true } }),
  create('scopes holds a number', { name: 'x', scopes: [1] }),
  create('scopes holds null', { name: 'x', scopes: [null] }),
  create('scopes holds an array', { name: 'x', scopes: [['sites:read']] }),
  create('scopes holds an empty string', { name: 'x', scopes: [''] }),
  create('scopes holds upper case', { name: 'x', scopes: ['SITES:READ'] }),
  create('constraint is a string', { ...valid, constraint: 'team_abc' }),
  create('constraint is an array', { ...valid, constraint: [{ team_id: 'team_abc' }] }),
  create('constraint is empty', { ...valid, constraint: {} }),
  create('constraint has two kinds', { ...valid, constraint: { team_id: 'team_a', project_id: 'proj_b' } }),
  create('constraint id has the wrong prefix', { ...valid, constraint: { team_id: 'proj_abc' } }),
  create('constraint id is a number', { ...valid, constraint: { site_id: 42 } }),
  create('constraint id is null', { ...valid, constraint: { site_id: null } }),
  create('constraint has an unknown kind', { ...valid, constraint: { account_id: 'acct_x' } }),
  create('ip_allowlist is a string', { ...valid, ip_allowlist: '10.0.0.0/8' }),
  create('ip_allowlist is null', { ...valid, ip_allowlist: null }),
  create('ip_allowlist holds a number', { ...valid, ip_allowlist: [10] }),
  create('ip_allowlist holds garbage', { ...valid, ip_allowlist: ['not-a-cidr'] }),
  create('ip_allowlist entry without prefix', { ...valid, ip_allowlist: ['10.0.0.1'] }),
  create('ip_allowlist has 33 entries', { ...valid, ip_allowlist: Array.from({ length: 33 }, (_, i) => `10.${i}.0.0/16`) }),
  create('ttl is a number', { ...valid, ttl: 90 }),
  create('ttl is null', { ...valid, ttl: null }),
  create('ttl is empty', { ...valid, ttl: '' }),
  create('ttl has a space', { ...valid, ttl: '90 d' }),
  create('ttl in years', { ...valid, ttl: '1y' }),
  create('ttl is negative', { ...valid, ttl: '-1h' }),
  create('principal_id is a number', { ...valid, principal_id: 5 }),
  create('principal_id has the wrong prefix', { ...valid, principal_id: 'acct_abc' }),
  // huge and odd strings
  create('name of 101 characters', { ...valid, name: 'n'.repeat(101) }),
  create('name of 60 000 characters', { ...valid, name: 'n'.repeat(60_000) }),
  create('description of 1001 characters', { ...valid, description: 'd'.repeat(1001) }),
  create('101 scopes', { name: 'x', scopes: Array.from({ length: 101 }, () => 'sites:read') }),
  create('a 1000-character scope', { name: 'x', scopes: [`sites:${'r'.repeat(994)}`] }),
  create('name with NUL', { ...valid, name: 'a\u0000b' }),
  create('name with a right-to-left override', { ...valid, name: 'key\u202egpj.exe' }),
  create('name with a zero-width space', { ...valid, name: 'ad\u200bmin' }),
  create('name that is only whitespace', { ...valid, name: '   ' }),
  create('name with a leading space', { ...valid, name: ' lead' }),
  create('name with a trailing newline', { ...valid, name: 'trail\n' }),
  create('name with a private-use character', { ...valid, name: 'x\ue000' }),
  create('name that is a byte-order mark', { ...valid, name: '\ufeff' }),
  create('description with a bell character', { ...valid, description: 'ding\u0007' }),
  createRaw('name with a lone surrogate', '{"name":"a\\ud800b","scopes":["sites:read"]}'),
  create('scope with emoji', { name: 'x', scopes: ['sites:r😀ad'] }),
  create('scope with a homoglyph', { name: 'x', scopes: ['sites:rеad'] }),
  // unknown fields
  create('an extra field', { ...valid, admin: true }),
  create('a secret supplied by the client', { ...valid, secret: 'mdk_' + 'a'.repeat(46) }),
  create('status supplied by the client', { ...valid, status: 'active' }),
  createRaw('__proto__ pollution', '{"name":"x","scopes":["sites:read"],"__proto__":{"admin":true}}'),
  create('constructor field', { ...valid, constructor: { prototype: {} } }),
  patch('PATCH with an unknown field', { status: 'active' }),
  patch('PATCH of expires_at', { expires_at: '2099-01-01T00:00:00Z' }),
  patch('PATCH of ttl', { ttl: '365d' }),
  patch('PATCH of constraint', { constraint: { team_id: 'team_abc' } }),
  patch('PATCH with an empty object', {}),
  patch('PATCH with name null', { name: null }),
  patch('PATCH scopes to a string', { scopes: 'sites:read' }),
  rotate('rotate with an unknown field', { secret: 'mine' }),
  rotate('rotate with a numeric grace period', { grace_period: 5 }),
  rotate('rotate with an eight-day grace period', { grace_period: '8d' }),
  rotate('rotate with a word grace period', { grace_period: 'a while' }),
  // deep nesting
  create('scopes nested 1000 deep', { name: 'x', scopes: JSON.parse(nestedArray(1000)) }),
  createRaw('an object nested 10 000 deep', nestedObject(10_000)),
  createRaw('an array nested 20 000 deep', nestedArray(20_000)),
  create('constraint nested inside itself', { ...valid, constraint: { team_id: { team_id: { team_id: 'team_a' } } } }),
  // malformed JSON and non-object JSON
  createRaw('an unterminated object', '{'),
  createRaw('a missing value', '{"name": }'),
  createRaw('single quotes', "{'name':'x'}"),
  createRaw('a trailing comma', '{"name":"x","scopes":["sites:read"],}'),
  createRaw('NaN', 'NaN'),
  createRaw('trailing garbage', '{"name":"x","scopes":["sites:read"]} xyz'),
  createRaw('a bare string', '"just a string"'),
  createRaw('a bare number', '123'),
  createRaw('null', 'null'),
  createRaw('an array', '[{"name":"x","scopes":["sites:read"]}]'),
  createRaw('invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d])),
  createRaw('an empty body with a JSON content type', '', 400),
  createRaw('a comment', '{"name":"x" /* hi */, "scopes":["sites:read"]}'),
  // wrong content types
  createRaw('text/plain', JSON.stringify(valid), 415, 'text/plain'),
  createRaw('a form post', 'name=x&scopes=sites:read', 415, 'application/x-www-form-urlencoded'),
  createRaw('multipart', '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--', 415, 'multipart/form-data; boundary=b'),
  createRaw('XML', '<key><name>x</name></key>', 415, 'application/xml'),
  createRaw('JSON without a content type', JSON.stringify(valid), 415, null),
  createRaw('JSON declared as Latin-1', JSON.stringify(valid), 415, 'application/json; charset=latin1'),
  createRaw('a JSON-patch media type', JSON.stringify(valid), 415, 'application/json-patch+json'),
  createRaw('an unparseable content type', JSON.stringify(valid), 415, '???'),
  // over-size bodies
  create('a body over 64 KiB', { ...valid, description: 'd'.repeat(70 * 1024) }, 413),
  createRaw('a 1 MiB body', Buffer.alloc(1024 * 1024, 0x20), 413),
  // query strings, paths, methods, credentials
  { label: 'limit below range', method: 'GET', path: '/v1/keys?limit=-1', status: 400 },
  { label: 'limit given twice', method: 'GET', path: '/v1/keys?limit=1&limit=2', status: 400 },
  { label: 'limit as an array', method: 'GET', path: '/v1/keys?limit[]=1', status: 400 },
  { label: 'a huge cursor', method: 'GET', path: `/v1/keys?cursor=${'c'.repeat(5000)}`, status: 400 },
  { label: 'a status that does not exist', method: 'GET', path: '/v1/keys?status=%00', status: 400 },
  { label: 'bad percent-encoding in the path', method: 'GET', path: '/v1/keys/%E0%A4%A', status: 400 },
  { label: 'path traversal', method: 'GET', path: '/v1/keys/..%2f..%2fetc%2fpasswd', status: 404 },
  { label: 'a 5000-character id', method: 'GET', path: `/v1/keys/key_${'a'.repeat(5000)}`, status: 404 },
  { label: 'an unknown route', method: 'GET', path: '/v1/nothing-here', status: 404 },
  { label: 'the wrong method', method: 'PUT', path: '/v1/keys', json: valid, status: 405 },
  { label: 'POST to a key', method: 'POST', path: '/v1/keys/{key}', json: valid, status: 405 },
  { label: 'no credentials on create', method: 'POST', path: '/v1/keys', json: valid, anonymous: true, status: 401 },
  { label: 'credentials in the query string', method: 'GET', path: '/v1/whoami?access_token=mdk_x', anonymous: true, status: 401 },
];

describe('bad input', () => {
  let cp: TestControlPlane;
  let keyId: string;
  beforeAll(async () => {
    cp = await startControlPlane();
    keyId = (await apiClient(cp.url, cp.ownerKey).post('/v1/keys', { json: { name: 'existing', scopes: ['sites:read'] } })).body.id;
  });
  afterAll(() => cp.close());

  test('the suite is large enough', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.label)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.label, c] as const))('%s → 4xx problem+json', async (_label, c) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.contentType !== undefined && c.contentType !== null) headers['content-type'] = c.contentType;
    const response = await api(cp.url, c.method, c.path.replace('{key}', keyId), {
      ...(c.anonymous ? {} : { key: cp.ownerKey }),
      ...(c.json !== undefined ? { json: c.json } : {}),
      ...(c.raw !== undefined ? { rawBody: c.raw } : {}),
      headers,
    });
    expect({ status: response.status, body: response.body }).toMatchObject({ status: c.status });
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: expect.stringMatching(/^https:\/\/managed\.dev\/problems\/[a-z_]+$/),
      title: expect.any(String),
      status: c.status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\/v1\//),
    });
    if (c.status === 400 && c.json !== undefined && c.method !== 'GET') {
      // Validation failures point at the offending place.
      expect(response.body.errors?.length ?? 0).toBeGreaterThan(0);
      for (const error of response.body.errors) expect(typeof error.detail).toBe('string');
    }
  });

  test('the server still serves afterwards and nothing was minted or changed', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    expect((await owner.get('/v1/whoami')).status).toBe(200);
    const keys = await owner.get('/v1/keys?limit=100');
    expect(keys.body.items.map((k: { name: string }) => k.name).sort()).toEqual(['existing', 'owner']);
    const existing = await owner.get(`/v1/keys/${keyId}`);
    expect(existing.body).toMatchObject({ name: 'existing', scopes: ['sites:read'], status: 'active' });
    expect((await owner.post('/v1/keys', { json: valid })).status).toBe(201);
  });
});
