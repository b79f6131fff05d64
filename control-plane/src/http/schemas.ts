/**
 * Every request-body JSON Schema in schema/*.schema.json (listed once, in body-schemas.ts),
 * registered with ajv (so they can `$ref` each other by file name) and published under
 * components.schemas in /openapi.json. A route names its schema in its `bodySchema`.
 */
import * as bodySchemaExports from './body-schemas';
import type { JsonSchema } from './route-definition';

export * from './body-schemas';

/** The OpenAPI component name of a schema: its `title`. */
export function schemaName(schema: JsonSchema): string {
  const title = schema.title;
  if (typeof title !== 'string') throw new Error(`body schema ${String(schema.$id)} has no title`);
  return title;
}

/**
 * Every export of body-schemas.ts, ordered by title: how a runtime orders a module's exports
 * differs (source order in CommonJS, alphabetical for ES module namespaces), and the OpenAPI
 * document, committed as schema/openapi.json, must not depend on it.
 */
export const BODY_SCHEMAS: readonly JsonSchema[] = Object.values<JsonSchema>(bodySchemaExports).sort((a, b) =>
  schemaName(a).localeCompare(schemaName(b), 'en'),
);
