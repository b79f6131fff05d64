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

  test('request bodies reference the JSON Schemas of schema/, published unchanged', () => {
    const create = document.paths['/v1/keys'].post.requestBody.content['application/json'].schema;
    expect(create).toEqual({ $ref: '#/components/schemas/KeyCreate' });
    const onDisk = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'schema', 'key-create.schema.json'), 'utf8'));
    expect(document.components.schemas.KeyCreate).toEqual(onDisk);
    const update = document.components.schemas.KeyUpdate;
    expect(update.properties.scopes).toEqual({ $ref: 'key-create.schema.json#/properties/scopes' });
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

  test('every document-local $ref outside the published JSON Schemas resolves inside the document', () => {
    const { schemas, ...rest } = document.components;
    const outside = { paths: document.paths, components: rest, responseSchemas: Object.fromEntries(Object.entries(schemas).filter(([, s]: [string, any]) => !s.$id)) };
    for (const ref of collectRefs(outside)) {
      expect({ ref, resolved: resolvePointer(document, ref) !== undefined }).toEqual({ ref, resolved: true });
    }
  });

  test('a JSON Schema 2020-12 validator resolves every published schema and its cross-schema $refs', () => {
    // What a 2020-12 tool does with components that carry an `$id`: relative refs resolve against it.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const published = Object.values(document.components.schemas).filter((s: any) => typeof s.$id === 'string');
    expect(published.length).toBeGreaterThanOrEqual(3);
    for (const schema of published) ajv.addSchema(schema as object);
    for (const schema of published as Array<{ $id: string }>) {
      expect({ id: schema.$id, compiles: typeof ajv.getSchema(schema.$id) }).toEqual({ id: schema.$id, compiles: 'function' });
    }
    const validateUpdate = ajv.getSchema('https://managed.dev/schema/key-update.schema.json')!;
    expect(validateUpdate({ name: 'ok' })).toBe(true);
    expect(validateUpdate({ name: '' })).toBe(false);
  });
});
