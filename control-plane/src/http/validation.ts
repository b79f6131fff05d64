/**
 * ajv validation of request bodies and query strings against JSON Schemas (draft 2020-12),
 * turned into problem errors with JSON pointers. Validators are compiled once per schema.
 */
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { nearestName } from '@managed-dev/contract';
import { FieldError, validationFailed } from '../domain/errors';
import type { JsonSchema } from './route-definition';
import { BODY_SCHEMAS } from './schemas';

/** More than this many errors helps nobody and costs time on hostile input. */
const MAX_REPORTED_ERRORS = 20;

function newAjv(coerceTypes: boolean | 'array'): Ajv2020 {
  // verbose: errors carry their schema, so a pattern failure can quote the schema's description.
  const ajv = new Ajv2020({ allErrors: true, strict: true, coerceTypes, useDefaults: false, verbose: true });
  addFormats(ajv);
  // OpenAPI keywords that may sit inside the shared schemas.
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

const bodyAjv = newAjv(false);
for (const schema of BODY_SCHEMAS) bodyAjv.addSchema(schema as object);
// 'array': a parameter declared as an array accepts one occurrence (`?id=a`) as well as several
// (`?id=a&id=b`, which the query parser already turns into an array).
const queryAjv = newAjv('array');
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(ajv: Ajv2020, schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    const id = typeof schema.$id === 'string' ? schema.$id : undefined;
    validate = (id ? ajv.getSchema(id) : undefined) ?? ajv.compile(schema as object);
    compiled.set(schema, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `"${(error.params as { missingProperty: string }).missingProperty}" is required`;
    case 'type':
      return `must be of type ${(error.params as { type: string }).type}`;
    case 'oneOf':
    case 'anyOf':
      return error.parentSchema && typeof (error.parentSchema as { description?: unknown }).description === 'string'
        ? `must be ${(error.parentSchema as { description: string }).description}`
        : (error.message ?? 'is invalid');
    case 'false schema':
      return 'cannot be changed after minting; mint a new key instead';
    case 'enum':
      return `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return error.parentSchema && typeof (error.parentSchema as { description?: unknown }).description === 'string'
        ? `must be ${(error.parentSchema as { description: string }).description}`
        : `must match ${(error.params as { pattern: string }).pattern}`;
    default:
      return error.message ?? 'is invalid';
  }
}

function pointerOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${escapePointer((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  if (error.keyword === 'required') {
    return `${error.instancePath}/${escapePointer((error.params as { missingProperty: string }).missingProperty)}`;
  }
  return error.instancePath;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * oneOf produces one error per failed branch plus a summary; the branch errors contradict each
 * other ("must be null", "team_id is required", "project_id is required"…), so only the summary,
 * which quotes the schema's description, is reported.
 */
function toFieldErrors(errors: readonly ErrorObject[], location: 'body' | 'query'): FieldError[] {
  const branchPrefixes = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    if (branchPrefixes.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const pointer = pointerOf(error);
    const detail = describe(error);
    const dedupe = `${pointer}\u0000${detail}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    if (location === 'query') {
      const parameter = pointer.replace(/^\//, '').split('/')[0] ?? '';
      out.push({ parameter, detail });
    } else {
      out.push({ pointer, detail });
    }
    if (out.length === MAX_REPORTED_ERRORS) break;
  }
  return out;
}

export function validateBody(schema: JsonSchema, body: unknown): void {
  const validate = validatorFor(bodyAjv, schema);
  if (!validate(body)) throw validationFailed(toFieldErrors(validate.errors ?? [], 'body'));
}

/** Past this many allowed values an enum error names the nearest one instead of listing them all. */
const MAX_LISTED_VALUES = 8;

/**
 * Query errors get what a person needs to fix the URL: an unknown parameter names the nearest
 * known one ("did you mean limit?"), a value outside a long enum names the nearest value.
 */
function queryFieldError(error: ErrorObject, schema: JsonSchema, query: Record<string, unknown>): FieldError | undefined {
  const known = Object.keys((schema.properties ?? {}) as object);
  if (error.keyword === 'additionalProperties') {
    const name = (error.params as { additionalProperty: string }).additionalProperty;
    const suggestion = nearestName(name, known);
    const detail = `unknown query parameter${suggestion ? `; did you mean "${suggestion}"?` : ''} (this route takes ${known.join(', ')})`;
    return { parameter: name, detail, ...(suggestion ? { suggestion } : {}) };
  }
  if (error.keyword === 'enum') {
    const parameter = error.instancePath.replace(/^\//, '');
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
    if (allowed.length <= MAX_LISTED_VALUES) return undefined;
    const value = String(query[parameter]);
    const suggestion = nearestName(value, allowed);
    return { parameter, detail: `unknown value "${value}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`, ...(suggestion ? { suggestion } : {}) };
  }
  return undefined;
}

/**
 * Validates (and coerces, on a copy) the query string; returns the coerced copy. A route without
 * a query schema takes no parameters at all, so a typo is never silently ignored.
 */
export function validateQuery(schema: JsonSchema | undefined, query: Record<string, unknown>): Record<string, unknown> {
  if (!schema) {
    const names = Object.keys(query);
    if (names.length === 0) return {};
    throw validationFailed(names.map((parameter) => ({ parameter, detail: 'unknown query parameter (this route takes none)' })));
  }
  const copy: Record<string, unknown> = { ...query };
  const validate = validatorFor(queryAjv, schema);
  if (!validate(copy)) {
    const errors = validate.errors ?? [];
    const special = errors.map((error) => queryFieldError(error, schema, query));
    const general = toFieldErrors(
      errors.filter((_, index) => special[index] === undefined),
      'query',
    );
    throw validationFailed([...special.filter((entry): entry is FieldError => entry !== undefined), ...general]);
  }
  return copy;
}
