// Every example the OpenAPI document shows is one the server accepts: each request-body example
// is sent as is and succeeds, and each property example satisfies its own (refined) schema.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../../../control-plane/src/http/openapi';
import { ROUTES } from '../../../control-plane/src/http/route-table';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api } from '../../support/http';

const document = buildOpenApiDocument(ROUTES) as any;
const DOCUMENT_ID = 'https://managed.dev/openapi.json';

function propertyExamples(node: unknown, pointer: string, out: Array<{ pointer: string; example: unknown }> = []) {
  if (Array.isArray(node)) node.forEach((item, index) => propertyExamples(item, `${pointer}/${index}`, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'example') out.push({ pointer, example: value });
      else propertyExamples(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  }
  return out;
}

describe('examples in the OpenAPI document', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  test('every schema example satisfies the schema it sits in', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    const examples = propertyExamples(document.components.schemas, '/components/schemas');
    expect(examples.length).toBeGreaterThan(3);
    for (const { pointer, example } of examples) {
      const validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      expect({ pointer, example, valid: validate(example) }).toEqual({ pointer, example, valid: true });
    }
  });

  test('every request-body example is accepted by the server', async () => {
    const minted = await api(cp.url, 'POST', '/v1/keys', { key: cp.ownerKey, json: { name: 'example-target', scopes: ['sites:read'] } });
    const withExamples = ROUTES.filter((route) => route.bodyExample !== undefined);
    expect(withExamples.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['post /v1/keys', 'patch /v1/keys/{id}', 'post /v1/keys/{id}/rotate']),
    );
    for (const route of withExamples) {
      const shown = document.paths[route.path][route.method].requestBody.content['application/json'].example;
      expect(shown).toEqual(route.bodyExample);
      const path = route.path.replace('{id}', minted.body.id);
      const response = await api(cp.url, route.method.toUpperCase(), path, { key: cp.ownerKey, json: shown });
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: Number(Object.keys(route.responses)[0]),
      });
    }
  });
});
