// schema/openapi.json is a committed copy of the document GET /openapi.json serves. It is derived
// from the route table, so it must never drift: regenerate it in memory and compare, compare it
// with what a real server serves, and check the OpenAPI 3.1 rules a generator bug could break
// (no OpenAPI validator is installed, and a heavy one is not worth adding for these few rules).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATE_OPENAPI_COMMAND, OPENAPI_FILE, renderOpenApiFile } from '../../../control-plane/scripts/generate-openapi';
import { ROUTES } from '../../../control-plane/src/http/route-table';
import { schemaName } from '../../../control-plane/src/http/schemas';
import { startControlPlane } from '../../support/control-plane';
import { api } from '../../support/http';

const SCHEMA_DIR = dirname(OPENAPI_FILE);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Why the committed text differs from the regenerated one, or null when it does not. */
function staleness(committed: string | undefined, regenerated: string): string | null {
  if (committed === regenerated) return null;
  const fix = `run \`${GENERATE_OPENAPI_COMMAND}\` and commit schema/openapi.json`;
  if (committed === undefined) return `schema/openapi.json is missing: ${fix}`;
  const committedLines = committed.split('\n');
  const regeneratedLines = regenerated.split('\n');
  const line = committedLines.findIndex((text, index) => text !== regeneratedLines[index]);
  const at = line === -1 ? regeneratedLines.length : line + 1;
  return `schema/openapi.json is stale (first difference at line ${at}): ${fix}`;
}

function readCommitted(): string | undefined {
  try {
    return readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    return undefined;
  }
}

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

function operationsOf(document: any): { where: string; path: string; operation: Operation }[] {
  return Object.entries<Record<string, Operation>>(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({ where: `${method.toUpperCase()} ${path}`, path, operation })),
  );
}

describe('schema/openapi.json', () => {
  const regenerated = renderOpenApiFile();
  const committed = readCommitted();
  const document = JSON.parse(committed ?? regenerated);

  test(`is what \`${GENERATE_OPENAPI_COMMAND}\` writes from the route table`, () => {
    expect(staleness(committed, regenerated)).toBeNull();
    expect(regenerated.endsWith('}\n')).toBe(true);
  });

  test('equals the document a running control plane serves at GET /openapi.json', async () => {
    const cp = await startControlPlane();
    try {
      const response = await api(cp.url, 'GET', '/openapi.json');
      expect(response.status).toBe(200);
      // The only server entry is the relative "/", so nothing depends on the host that answered.
      expect(response.body.servers).toEqual([{ url: '/' }]);
      expect(response.body).toEqual(document);
    } finally {
      await cp.close();
    }
  });

  test('publishes every JSON Schema of schema/ under its title, with the same fields and rules', () => {
    const files = readdirSync(SCHEMA_DIR)
      .filter((file) => file.endsWith('.schema.json'))
      .sort();
    for (const file of files) {
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'));
      const published = document.components.schemas[schema.title];
      expect({ file, properties: Object.keys(published?.properties ?? {}) }).toEqual({ file, properties: Object.keys(schema.properties ?? {}) });
      expect({ file, required: published.required, additionalProperties: published.additionalProperties }).toEqual({
        file,
        required: schema.required,
        additionalProperties: schema.additionalProperties,
      });
    }
  });

  test('each request body is the $ref to its route’s schema', () => {
    for (const route of ROUTES.filter((candidate) => candidate.bodySchema)) {
      const body = document.paths[route.path][route.method].requestBody.content['application/json'].schema;
      expect({ route: `${route.method} ${route.path}`, body }).toEqual({
        route: `${route.method} ${route.path}`,
        body: { $ref: `#/components/schemas/${schemaName(route.bodySchema!)}` },
      });
    }
  });

  describe('follows the OpenAPI 3.1 structure', () => {
    test('header: version 3.1.x, info with title and version, the 2020-12 dialect', () => {
      expect(document.openapi).toMatch(/^3\.1\.\d+$/);
      expect(typeof document.info.title).toBe('string');
      expect(typeof document.info.version).toBe('string');
      expect(document.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
      for (const path of Object.keys(document.paths)) expect(path).toMatch(/^\//);
    });

    test('operation ids are unique', () => {
      const ids = operationsOf(document).map(({ operation }) => operation.operationId);
      expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
      expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    });

    test('every path template variable is a required path parameter, and no other path parameter exists', () => {
      for (const { where, path, operation } of operationsOf(document)) {
        const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        expect({ where, path: declared.map((parameter) => parameter.name).sort() }).toEqual({ where, path: inTemplate });
        expect({ where, required: declared.every((parameter) => parameter.required === true) }).toEqual({ where, required: true });
      }
    });

    test('parameters are unique by name and location', () => {
      for (const { where, operation } of operationsOf(document)) {
        const keys = (operation.parameters ?? []).map((parameter) => `${parameter.in}:${parameter.name}`);
        expect({ where, duplicates: keys.filter((key, index) => keys.indexOf(key) !== index) }).toEqual({ where, duplicates: [] });
      }
    });

    test('every operation has responses, every request body has content, every security scheme is declared', () => {
      const schemes = Object.keys(document.components.securitySchemes);
      for (const { where, operation } of operationsOf(document)) {
        expect({ where, responses: Object.keys(operation.responses ?? {}).length > 0 }).toEqual({ where, responses: true });
        if (operation.requestBody) {
          expect({ where, content: Object.keys(operation.requestBody.content ?? {}).length > 0 }).toEqual({ where, content: true });
        }
        const used = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
        expect({ where, undeclared: used.filter((name) => !schemes.includes(name)) }).toEqual({ where, undeclared: [] });
      }
    });
  });
});

describe('staleness message', () => {
  test('names the script to run and the first line that differs', () => {
    expect(staleness('{\n  "a": 1\n}\n', '{\n  "a": 2\n}\n')).toBe(
      `schema/openapi.json is stale (first difference at line 2): run \`${GENERATE_OPENAPI_COMMAND}\` and commit schema/openapi.json`,
    );
    expect(staleness(undefined, '{}\n')).toMatch(/is missing: run `npm run generate:openapi`/);
    expect(staleness('{}\n', '{}\n')).toBeNull();
  });
});
