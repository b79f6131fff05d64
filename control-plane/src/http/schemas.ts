/**
 * Every request-body JSON Schema in schema/*.schema.json, registered once with ajv (so they can
 * `$ref` each other by file name) and published under components.schemas in /openapi.json.
 * A new body schema is added here and referenced by its route's `bodySchema`.
 */
import keyCreateSchema from '../../../schema/key-create.schema.json';
import keyRotateSchema from '../../../schema/key-rotate.schema.json';
import keyUpdateSchema from '../../../schema/key-update.schema.json';
import type { JsonSchema } from './route-definition';

export const BODY_SCHEMAS: readonly JsonSchema[] = [keyCreateSchema, keyUpdateSchema, keyRotateSchema];

export { keyCreateSchema, keyRotateSchema, keyUpdateSchema };

/** The OpenAPI component name of a schema: its `title`. */
export function schemaName(schema: JsonSchema): string {
  const title = schema.title;
  if (typeof title !== 'string') throw new Error(`body schema ${String(schema.$id)} has no title`);
  return title;
}
