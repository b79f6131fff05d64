/**
 * Holds every response the HTTP tests see to the OpenAPI document: the shared fetch helper
 * (test/support/http.ts) hands each response here, and a response the document does not describe
 * — an undocumented status, a body that breaks its schema, a required header missing, a problem
 * code not listed for that operation — fails the test that caused it.
 *
 * The document is the one the server serves (built by the same function from the same route
 * table); ajv compiles it once with the response schemas referenced by JSON pointer.
 */
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../../control-plane/src/http/openapi';
import { ROUTES } from '../../control-plane/src/http/route-table';

interface HeaderObject {
  readonly required?: boolean;
  readonly schema?: object;
}
interface ResponseObject {
  readonly headers?: Record<string, HeaderObject>;
  readonly content?: Record<string, { schema?: object }>;
}
interface Operation {
  readonly responses: Record<string, ResponseObject>;
}

interface CompiledPath {
  readonly template: string;
  readonly pattern: RegExp;
  readonly operations: Record<string, Operation>;
}

const DOCUMENT_ID = 'https://managed.dev/openapi.json';

let compiled: { ajv: Ajv2020; paths: CompiledPath[] } | undefined;

function load(): { ajv: Ajv2020; paths: CompiledPath[] } {
  if (compiled) return compiled;
  const document = buildOpenApiDocument(ROUTES) as { paths: Record<string, Record<string, Operation>> };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const paths = Object.entries(document.paths).map(([template, operations]) => ({
    template,
    // Literal segments first: "/v1/audit/verify" must not be taken for "/v1/audit/{id}".
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    operations,
  }));
  paths.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  compiled = { ajv, paths };
  return compiled;
}

const validators = new Map<string, ValidateFunction>();

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function validatorAt(ajv: Ajv2020, pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

export interface ObservedResponse {
  readonly method: string;
  /** The request path, query string included. */
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  readonly text: string;
}

/** Why the response breaks the document (empty when it conforms). Paths outside the document are not judged. */
function responseViolations(response: ObservedResponse): string[] {
  const { ajv, paths } = load();
  const path = response.path.split('?')[0]!;
  const method = response.method.toLowerCase();
  const where = `${response.method} ${response.path} → ${response.status}`;
  const documented = paths.find((candidate) => candidate.pattern.test(path) && candidate.operations[method]);
  if (!documented) return [];
  const operation = documented.operations[method]!;
  const statusKey = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find((key) => operation.responses[key]);
  if (statusKey === undefined) return [`${where}: status ${response.status} is not documented for ${response.method} ${documented.template}`];
  const described = operation.responses[statusKey]!;
  const violations: string[] = [];
  for (const [name, header] of Object.entries(described.headers ?? {})) {
    if (header.required && !response.headers.has(name)) violations.push(`${where}: the required header ${name} is missing`);
  }
  const mediaType = response.contentType.split(';')[0]!.trim();
  if (!described.content) {
    if (response.text !== '') violations.push(`${where}: the document describes no body, but one was sent (${response.text.slice(0, 80)})`);
    return violations;
  }
  if (!described.content[mediaType]) {
    return [...violations, `${where}: content type "${mediaType}" is not one of ${Object.keys(described.content).join(', ')}`];
  }
  const pointer = `/paths/${escapePointer(documented.template)}/${method}/responses/${statusKey}/content/${escapePointer(mediaType)}/schema`;
  const validate = validatorAt(ajv, pointer);
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return [...violations, `${where}: the body is not JSON`];
  }
  if (!validate(body)) {
    for (const error of validate.errors ?? []) {
      violations.push(`${where}: body${error.instancePath} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
    }
  }
  return violations;
}

/** Throws when the response breaks the document, so the test that caused it fails and says why. */
export function assertResponseMatchesDocument(response: ObservedResponse): void {
  const violations = responseViolations(response);
  if (violations.length > 0) throw new Error(`response does not match the OpenAPI document:\n  ${violations.join('\n  ')}`);
}
