import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api } from '../../support/http';
import { ROUTES } from '../../../control-plane/src/http/route-table';
import { REPOSITORY_ROOT } from '../../support/terraform';

function resolvePointer(document: any, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, segment) => (node === undefined ? undefined : node[segment]), document);
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => collectRefs(item, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else collectRefs(value, out);
    }
  }
  return out;
}

describe('GET /openapi.json', () => {
  let cp: TestControlPlane;
  let document: any;
  beforeAll(async () => {
    cp = await startControlPlane();
    const response = await api(cp.url, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    document = response.body;
  });
  afterAll(() => cp.close());

  test('is OpenAPI 3.1 with a bearer scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test('lists every route of the route table with the scope it needs', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method];
      expect({ route: `${route.method} ${route.path}`, present: operation !== undefined }).toEqual({ route: `${route.method} ${route.path}`, present: true });
      expect(operation['x-required-scope']).toBe(route.public ? null : route.scope);
      expect(operation.security).toEqual(route.public ? [] : [{ bearer: route.scope ? [route.scope] : [] }]);
    }
    expect(document.paths['/v1/keys'].post['x-required-scope']).toBe('keys:write');
    expect(document.paths['/v1/keys/{id}'].get['x-required-scope']).toBe('keys:read');
  });

  test('request bodies reference the JSON Schemas of schema/, published without $id and with document-local refs', () => {
    const create = document.paths['/v1/keys'].post.requestBody.content['application/json'].schema;
    expect(create).toEqual({ $ref: '#/components/schemas/KeyCreate' });
    const onDisk = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'schema', 'key-create.schema.json'), 'utf8'));
    expect(document.components.schemas.KeyCreate.$id).toBeUndefined();
    expect(document.components.schemas.KeyCreate.required).toEqual(onDisk.required);
    const update = document.components.schemas.KeyUpdate;
    expect(update.properties.scopes).toEqual({ $ref: '#/components/schemas/KeyCreate/properties/scopes' });
    expect(update.additionalProperties).toBe(false);
  });

  test('every body schema under schema/ forbids unknown fields', () => {
    const files = readdirSync(join(REPOSITORY_ROOT, 'schema')).filter((f) => f.endsWith('.schema.json'));
    expect(files).toEqual(expect.arrayContaining(['key-create.schema.json', 'key-update.schema.json', 'key-rotate.schema.json']));
    for (const file of files) {
      const schema = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'schema', file), 'utf8'));
      expect({ file, additionalProperties: schema.additionalProperties }).toEqual({ file, additionalProperties: false });
    }
  });

  test('every $ref resolves inside the document: it loads on its own, fetched into an empty folder', () => {
    const refs = collectRefs(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect({ ref, local: ref.startsWith('#/') }).toEqual({ ref, local: true });
      expect({ ref, resolved: resolvePointer(document, ref) !== undefined }).toEqual({ ref, resolved: true });
    }
  });

  test('a JSON Schema 2020-12 validator compiles every component, and KeyUpdate follows its refs into KeyCreate', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...document, $id: 'https://managed.dev/openapi.json' });
    for (const name of Object.keys(document.components.schemas)) {
      const validate = ajv.getSchema(`https://managed.dev/openapi.json#/components/schemas/${name}`);
      expect({ name, compiles: typeof validate }).toEqual({ name, compiles: 'function' });
    }
    const validateUpdate = ajv.getSchema('https://managed.dev/openapi.json#/components/schemas/KeyUpdate')!;
    expect(validateUpdate({ name: 'ok' })).toBe(true);
    expect(validateUpdate({ name: '' })).toBe(false);
    expect(validateUpdate({ scopes: ['sites:raed'] })).toBe(false);
  });

  test('every response is described: 2xx with a schema (or no body), and each problem status with its codes', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path][route.method];
      const where = `${route.method} ${route.path}`;
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        expect({ where, status, numeric: /^\d{3}$/.test(status) }).toEqual({ where, status, numeric: true });
        if (status.startsWith('2') && status !== '204') {
          expect({ where, status, schema: response.content?.['application/json']?.schema !== undefined }).toEqual({ where, status, schema: true });
        }
        if (Number(status) >= 400) {
          expect({ where, status, codes: response['x-error-codes'].length > 0 }).toEqual({ where, status, codes: true });
          expect(response.content['application/problem+json'].schema.allOf[0]).toEqual({ $ref: '#/components/schemas/Problem' });
        }
      }
      expect(operation['x-error-codes']).toEqual(expect.arrayContaining(['internal_error']));
    }
  });

  test('documents the headers clients rely on', () => {
    const mint = document.paths['/v1/keys'].post;
    expect(mint.responses['201'].headers.Location.required).toBe(true);
    expect(mint.responses['201'].headers['Idempotent-Replayed']).toBeDefined();
    expect(mint.responses['401'].headers['WWW-Authenticate'].required).toBe(true);
    expect(mint.responses['403'].headers['WWW-Authenticate']).toBeDefined();
    expect(mint.responses['429'].headers['Retry-After'].required).toBe(true);
    const idempotencyKey = mint.parameters.find((parameter: any) => parameter.name === 'Idempotency-Key');
    const pattern = new RegExp(idempotencyKey.schema.pattern);
    expect(pattern.test('a b')).toBe(false);
    expect(pattern.test(idempotencyKey.schema.example)).toBe(true);
  });

  test('scopes, presets, TTLs and grace periods carry the enum or pattern the server enforces', () => {
    const create = document.components.schemas.KeyCreate.properties;
    expect(create.scopes.items.enum).toEqual(expect.arrayContaining(['sites:read', 'keys:*', '*:*']));
    expect(create.scopes.items.enum).not.toContain('*:raw');
    expect(create.preset.enum).toEqual(expect.arrayContaining(['deploy-bot', null]));
    // 5m is an ephemeral key's minimum (any other key's, 1h, is the server's check).
    const ttl = new RegExp(create.ttl.pattern);
    expect(['5m', '30m', '1h', '60m', '90d', '1d12h', '365d'].filter((text) => !ttl.test(text))).toEqual([]);
    expect(['4m', '0h', '1w', ''].filter((text) => ttl.test(text))).toEqual([]);
    const cidr = new RegExp(create.ip_allowlist.items.pattern);
    expect(['203.0.113.0/24', '2001:db8::/32', '10.0.0.1/32'].filter((text) => !cidr.test(text))).toEqual([]);
    expect(['203.0.113.0', '300.1.1.1/8', '10.0.0.0/33'].filter((text) => cidr.test(text))).toEqual([]);
  });
});
