/**
 * The OpenAPI 3.1 document, built from the route table: paths, the scope each operation needs
 * (as a bearer security requirement and `x-required-scope`), every success and problem response
 * with its schema and headers, the error codes each operation can answer with (from the catalog in
 * @managed-dev/contract), and the request-body JSON Schemas of schema/ under components.schemas.
 *
 * The document must load in tools that see only it (fetched into an empty folder), so it is
 * self-contained: each body schema is published without its `$id`, and its references to sibling
 * schema files ("key-create.schema.json#/properties/name") become references inside the document
 * ("#/components/schemas/KeyCreate/properties/name").
 */
import { ERROR_CATALOG, ERROR_CODES, ErrorCode, PRESET_NAMES, SCOPE_DEFINITIONS, DURATION_GRAMMAR, TTL_GRAMMAR, checkScope } from '@managed-dev/contract';
import { IDEMPOTENCY_KEY_SYNTAX } from '../domain/idempotency';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { RESPONSE_SCHEMAS } from './response-schemas';
import type { AnyRouteDefinition, JsonSchema, ResponseHeader } from './route-definition';
import { BODY_SCHEMAS, schemaName } from './schemas';

const SCHEMA_FILE_REF = /^([a-z0-9-]+\.schema\.json)#(.*)$/;

/** Body schemas by file name ("key-create.schema.json" → "KeyCreate"), to rewrite cross-file refs. */
function componentNamesByFile(): Map<string, string> {
  const names = new Map<string, string>();
  for (const schema of BODY_SCHEMAS) {
    const id = String(schema.$id ?? '');
    names.set(id.slice(id.lastIndexOf('/') + 1), schemaName(schema));
  }
  return names;
}

function rewriteRefs(value: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string') {
      const match = SCHEMA_FILE_REF.exec(child);
      const component = match ? names.get(match[1]!) : undefined;
      if (match && component === undefined) throw new Error(`$ref "${child}" names no body schema`);
      out.$ref = match ? `#/components/schemas/${component}${match[2]}` : child;
    } else {
      out[key] = rewriteRefs(child, names);
    }
  }
  return out;
}

/** Every scope string a key request may hold: catalog names and each wildcard that grants something. */
function acceptedScopeStrings(): string[] {
  const resources = new Set<string>(['*']);
  const actions = new Set<string>(['*']);
  for (const { name } of SCOPE_DEFINITIONS) {
    const [resource, action] = name.split(':') as [string, string];
    resources.add(resource);
    actions.add(action);
  }
  const wildcards = [...resources].flatMap((resource) => [...actions].map((action) => `${resource}:${action}`)).filter((text) => text.includes('*'));
  return [...SCOPE_DEFINITIONS.map((s) => s.name), ...wildcards.filter((text) => checkScope(text) === null)];
}

/**
 * What the document promises beyond the validation schemas. The server checks these fields after
 * the schema (so it can answer with a suggestion: "did you mean deploys:write?"); the document
 * states the same rule as an enum or pattern, so a generated client refuses what the server would.
 */
/** TTL_GRAMMAR with a lookahead that some part matches `part`. */
function atLeast(part: string): string {
  return `^(?=.*${part})${TTL_GRAMMAR.source.slice(1)}`;
}

function refinements(): Record<string, Record<string, unknown>> {
  const cidr =
    '^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(?:3[0-2]|[12]?\\d)$|^[0-9a-f:.]*:[0-9a-f:.]*/(?:12[0-8]|1[01]\\d|[1-9]?\\d)$';
  return {
    '/KeyCreate/properties/scopes/items': { enum: acceptedScopeStrings() },
    '/KeyCreate/properties/preset': { enum: [...PRESET_NAMES, null] },
    '/KeyCreate/properties/ip_allowlist/items': {
      pattern: cidr,
      description: 'an IPv4 or IPv6 network in canonical CIDR form (network address, lower-case compressed IPv6)',
    },
    // The grammar, plus: at least one part of 5 minutes or more on its own (the server adds the
    // parts up). 5m is an ephemeral key's minimum; any other key needs 1h, which the server checks.
    '/KeyCreate/properties/ttl': { pattern: atLeast('(?:[1-9]\\d*[hd]|(?:[5-9]|[1-9]\\d+)m)') },
    '/KeyRotate/properties/grace_period': { pattern: DURATION_GRAMMAR.source },
  };
}

function applyRefinements(schemas: Record<string, unknown>): void {
  for (const [pointer, extra] of Object.entries(refinements())) {
    let node = schemas as Record<string, unknown>;
    for (const segment of pointer.split('/').slice(1)) node = node[segment] as Record<string, unknown>;
    if (!node) throw new Error(`OpenAPI refinement at ${pointer} names nothing`);
    Object.assign(node, extra);
  }
}

/**
 * Response bodies send every field they declare (null when unset), so an object schema without
 * its own `required` list requires all of its properties: a generated client then types them as
 * present, and the response validator in the tests holds the server to it.
 */
function requireAllProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(requireAllProperties);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // The keys of `properties` are field names, not schema keywords: recurse into their values only.
    out[key] =
      key === 'properties' ? Object.fromEntries(Object.entries(child as object).map(([n, s]) => [n, requireAllProperties(s)])) : requireAllProperties(child);
  }
  if (out.type === 'object' && out.properties && out.required === undefined) out.required = Object.keys(out.properties as object);
  return out;
}

/** What each tag groups, for readers of the rendered document. */
const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  operations: 'Probes for whoever runs the control plane: liveness and readiness, no credentials.',
  meta: 'Who is calling, and the scope and preset catalogs.',
  keys: 'Mint, read, list, change, rotate and revoke API keys.',
  account: "The caller's account.",
  members: 'Users and service accounts, their roles and team memberships.',
  teams: 'Teams: the first level of the resource tree.',
  projects: 'Projects inside a team.',
  sites: 'Sites inside a project.',
  deploys: "A site's recorded deploys.",
  domains: "A site's domains.",
  env: "A site's environment variables.",
  logs: "A site's activity log.",
  metrics: "A site's counters, computed from its stored state.",
  backups: "Snapshots of a site's configuration.",
  wp: 'WordPress plugins and page-cache flushes.',
  credentials: 'Site credentials, encrypted at rest (dangerous scopes).',
  exec: "Commands recorded for a site's runner (dangerous scope; nothing runs on the control plane).",
  audit: 'The hash-chained audit log and its verification.',
  sessions: 'Dashboard sign-in: a session cookie opened with an API key, and sign-out.',
};

function operationId(route: AnyRouteDefinition): string {
  const words = route.path
    .replace(/^\/v1\//, '')
    .split('/')
    .map((segment) => (segment.startsWith('{') ? `by_${segment.slice(1, -1)}` : segment));
  return [route.method, ...words].join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

const WWW_AUTHENTICATE: ResponseHeader = {
  description: 'The bearer challenge (RFC 6750): `error="invalid_token"` or `error="insufficient_scope", scope="…"`',
  schema: { type: 'string' },
};
const RETRY_AFTER: ResponseHeader = { description: 'Seconds to wait before retrying', schema: { type: 'string', pattern: '^\\d+$' } };

/**
 * The codes an operation can answer with: those every route of its kind shares (credentials,
 * target, body, idempotency) and the ones its definition lists.
 */
function errorCodesOf(route: AnyRouteDefinition): ErrorCode[] {
  // Every route validates its query string (a route without parameters refuses any).
  const codes = new Set<ErrorCode>(['bad_request', 'validation_failed', 'rate_limited']);
  if (!route.public) {
    codes.add('unauthorized').add('invalid_token').add('ip_not_allowed');
    // A change made with a dashboard session cookie must carry its CSRF token.
    if (route.method !== 'get') codes.add('csrf_token_invalid');
    if (route.scope !== null) codes.add('insufficient_scope');
    if (route.resolveTarget) codes.add('not_found');
  }
  if (route.bodySchema) codes.add('malformed_json').add('invalid_encoding').add('unsupported_media_type').add('payload_too_large');
  // A change without a body schema refuses any body (415 when it is not even JSON; 413 when it is too long to read).
  else if (route.method !== 'get') codes.add('unsupported_media_type').add('payload_too_large');
  if (route.idempotent) codes.add('idempotency_key_reused');
  for (const code of route.errors ?? []) codes.add(code);
  codes.add('database_unavailable').add('internal_error');
  return ERROR_CODES.filter((code) => codes.has(code));
}

function problemResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOG[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, statusCodes] of [...byStatus.entries()].sort(([a], [b]) => a - b)) {
    const headers: Record<string, ResponseHeader> = {};
    if (statusCodes.includes('unauthorized') || statusCodes.includes('invalid_token') || statusCodes.includes('insufficient_scope')) {
      headers['WWW-Authenticate'] = { ...WWW_AUTHENTICATE, ...(status === 401 ? { required: true } : {}) };
    }
    if (statusCodes.includes('rate_limited')) headers['Retry-After'] = { ...RETRY_AFTER, required: true };
    if (statusCodes.includes('not_ready') || statusCodes.includes('database_unavailable')) headers['Retry-After'] = RETRY_AFTER;
    responses[String(status)] = {
      description: statusCodes.map((code) => `\`${code}\`: ${ERROR_CATALOG[code].description}`).join('\n\n'),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: {
            allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { enum: statusCodes }, status: { const: status } } }],
          },
        },
      },
      'x-error-codes': statusCodes,
    };
  }
  return responses;
}

export function buildOpenApiDocument(routes: readonly AnyRouteDefinition[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathParameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1 },
    }));
    const queryProperties = (route.querySchema?.properties ?? {}) as Record<string, JsonSchema>;
    const queryParameters = Object.entries(queryProperties).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
    const headerParameters = route.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'Makes a retry safe: the same key and request within 24 h answers the first response again, with `Idempotent-Replayed: true`.',
            schema: { type: 'string', pattern: IDEMPOTENCY_KEY_SYNTAX.source, example: '6f1c2a9e-4b7d-4c1e-9a51-0d3f5b2e8c47' },
          },
        ]
      : [];
    const parameters = [...pathParameters, ...queryParameters, ...headerParameters];
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const headers: Record<string, ResponseHeader> = { ...response.headers };
      if (route.idempotent) {
        headers['Idempotent-Replayed'] = {
          description: '`true` when this is the stored response of an earlier request with the same Idempotency-Key',
          schema: { type: 'string', enum: ['true'] },
        };
      }
      responses[status] = {
        description: response.description,
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
        ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: requireAllProperties(response.schema) } } } : {}),
      };
    }
    const errorCodes = errorCodesOf(route);
    Object.assign(responses, problemResponses(errorCodes));
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: operationId(route),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [...route.tags],
      security: route.public ? [] : [{ bearer: route.scope ? [route.scope] : [] }],
      'x-required-scope': route.public ? null : route.scope,
      'x-error-codes': errorCodes,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.bodySchema
        ? {
            requestBody: {
              required: route.bodyRequired ?? true,
              content: {
                'application/json': {
                  schema: { $ref: `#/components/schemas/${schemaName(route.bodySchema)}` },
                  ...(route.bodyExample !== undefined ? { example: route.bodyExample } : {}),
                },
              },
            },
          }
        : {}),
      ...(route.idempotent ? { 'x-idempotent': true } : {}),
      responses,
    };
  }

  const names = componentNamesByFile();
  const bodySchemas: Record<string, unknown> = {};
  for (const schema of BODY_SCHEMAS) {
    const { $id: _id, $schema: _dialect, ...published } = schema;
    bodySchemas[schemaName(schema)] = rewriteRefs(published, names);
  }
  applyRefinements(bodySchemas);
  const responseSchemas = Object.fromEntries(Object.entries(RESPONSE_SCHEMAS).map(([name, schema]) => [name, requireAllProperties(schema)]));

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'managed.dev control plane',
      version: '1.0.0',
      description: [
        'Mint, enforce, rotate and revoke API keys. Errors are RFC 9457 application/problem+json with a `code` from the catalog in',
        'docs/guides/errors.md; each operation lists the codes it can answer with in `x-error-codes`. A known path called with a',
        'method it does not have answers 405 `method_not_allowed` with an `Allow` header listing the methods it has. With request',
        'logging on (LOG_LEVEL info), every response carries `X-Request-Id`, the id of its line in the JSON request log.',
      ].join(' '),
      license: { name: 'MPL-2.0', identifier: 'MPL-2.0' },
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.flatMap((route) => route.tags))].map((name) => ({
      name,
      ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}),
    })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `An API key (mdk_…). Scopes: ${SCOPE_DEFINITIONS.map((s) => s.name).join(', ')}.`,
        },
      },
      schemas: { ...bodySchemas, ...responseSchemas },
    },
  };
}
