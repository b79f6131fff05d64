import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  test('request bodies reference the JSON Schemas of schema/, unchanged apart from $ref targets', () => {
    const create = document.paths['/v1/keys'].post.requestBody.content['application/json'].schema;
    expect(create).toEqual({ $ref: '#/components/schemas/KeyCreate' });
    const onDisk = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'schema', 'key-create.schema.json'), 'utf8'));
    expect(document.components.schemas.KeyCreate).toEqual(onDisk);
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

  test('every $ref resolves inside the document', () => {
    for (const ref of collectRefs(document)) {
      expect({ ref, resolved: resolvePointer(document, ref) !== undefined }).toEqual({ ref, resolved: true });
    }
  });
});
