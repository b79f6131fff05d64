/**
 * The OpenAPI 3.1 document, built from the route table: paths, the scope each operation needs
 * (as a bearer security requirement and `x-required-scope`), and the request-body JSON Schemas of
 * schema/ under components.schemas, published verbatim (the same documents ajv validates with).
 */
import { SCOPE_DEFINITIONS } from '@managed-dev/contract';
import { RESPONSE_SCHEMAS } from './response-schemas';
import type { AnyRouteDefinition, JsonSchema } from './route-definition';
import { BODY_SCHEMAS, schemaName } from './schemas';

const PROBLEM_RESPONSE = {
  description: 'An RFC 9457 problem',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function operationId(route: AnyRouteDefinition): string {
  const words = route.path
    .replace(/^\/v1\//, '')
    .split('/')
    .map((segment) => (segment.startsWith('{') ? `by_${segment.slice(1, -1)}` : segment));
  return [route.method, ...words].join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

export function buildOpenApiDocument(routes: readonly AnyRouteDefinition[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathParameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryProperties = (route.querySchema?.properties ?? {}) as Record<string, JsonSchema>;
    const queryParameters = Object.entries(queryProperties).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { 'application/json': { schema: response.schema } } } : {}),
      };
    }
    responses['4XX'] = PROBLEM_RESPONSE;
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: operationId(route),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [...route.tags],
      security: route.public ? [] : [{ bearer: route.scope ? [route.scope] : [] }],
      'x-required-scope': route.public ? null : route.scope,
      ...(pathParameters.length + queryParameters.length > 0 ? { parameters: [...pathParameters, ...queryParameters] } : {}),
      ...(route.bodySchema
        ? {
            requestBody: {
              required: route.bodyRequired ?? true,
              content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(route.bodySchema)}` } } },
            },
          }
        : {}),
      ...(route.idempotent
        ? {
            'x-idempotent': true,
          }
        : {}),
      responses,
    };
    if (route.idempotent) {
      const operation = paths[route.path]![route.method] as { parameters?: unknown[] };
      operation.parameters = [
        ...(operation.parameters ?? []),
        { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } },
      ];
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'managed.dev control plane',
      version: '1.0.0',
      description: 'Mint, enforce, rotate and revoke API keys. Errors are RFC 9457 application/problem+json.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `An API key (mdk_…). Scopes: ${SCOPE_DEFINITIONS.map((s) => s.name).join(', ')}.`,
        },
      },
      schemas: {
        // Published verbatim. Each keeps its `$id`, and under JSON Schema 2020-12 (OpenAPI 3.1's
        // dialect) a relative `$ref` such as "key-create.schema.json#/properties/name" resolves
        // against that `$id` to the KeyCreate component, so the very documents ajv validates
        // with are the ones clients see. (Rewriting refs to "#/components/…" would be wrong:
        // inside a schema with an `$id`, "#" means that schema, not the OpenAPI document.)
        ...Object.fromEntries(BODY_SCHEMAS.map((schema) => [schemaName(schema), schema])),
        ...RESPONSE_SCHEMAS,
      },
    },
  };
}
