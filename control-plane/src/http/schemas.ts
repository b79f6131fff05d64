/**
 * Every request-body JSON Schema in schema/*.schema.json, registered once with ajv (so they can
 * `$ref` each other by file name) and published under components.schemas in /openapi.json.
 * A new body schema is added here and referenced by its route's `bodySchema`.
 */
import keyCreateSchema from '../../../schema/key-create.schema.json';
import keyRotateSchema from '../../../schema/key-rotate.schema.json';
import keyUpdateSchema from '../../../schema/key-update.schema.json';
// Resource tree, principals and site sub-resources (SPEC §5.1).
import principalCreateSchema from '../../../schema/principal-create.schema.json';
import principalUpdateSchema from '../../../schema/principal-update.schema.json';
import teamCreateSchema from '../../../schema/team-create.schema.json';
import teamUpdateSchema from '../../../schema/team-update.schema.json';
import projectCreateSchema from '../../../schema/project-create.schema.json';
import projectUpdateSchema from '../../../schema/project-update.schema.json';
import siteCreateSchema from '../../../schema/site-create.schema.json';
import siteUpdateSchema from '../../../schema/site-update.schema.json';
import deployCreateSchema from '../../../schema/deploy-create.schema.json';
import domainCreateSchema from '../../../schema/domain-create.schema.json';
import envReplaceSchema from '../../../schema/env-replace.schema.json';
import backupCreateSchema from '../../../schema/backup-create.schema.json';
import wpCacheFlushSchema from '../../../schema/wp-cache-flush.schema.json';
import credentialCreateSchema from '../../../schema/credential-create.schema.json';
import execCreateSchema from '../../../schema/exec-create.schema.json';
import type { JsonSchema } from './route-definition';

export const BODY_SCHEMAS: readonly JsonSchema[] = [
  keyCreateSchema,
  keyUpdateSchema,
  keyRotateSchema,
  principalCreateSchema,
  principalUpdateSchema,
  teamCreateSchema,
  teamUpdateSchema,
  projectCreateSchema,
  projectUpdateSchema,
  siteCreateSchema,
  siteUpdateSchema,
  deployCreateSchema,
  domainCreateSchema,
  envReplaceSchema,
  backupCreateSchema,
  wpCacheFlushSchema,
  credentialCreateSchema,
  execCreateSchema,
];

export { keyCreateSchema, keyRotateSchema, keyUpdateSchema };
export {
  principalCreateSchema,
  principalUpdateSchema,
  teamCreateSchema,
  teamUpdateSchema,
  projectCreateSchema,
  projectUpdateSchema,
  siteCreateSchema,
  siteUpdateSchema,
  deployCreateSchema,
  domainCreateSchema,
  envReplaceSchema,
  backupCreateSchema,
  wpCacheFlushSchema,
  credentialCreateSchema,
  execCreateSchema,
};

/** The OpenAPI component name of a schema: its `title`. */
export function schemaName(schema: JsonSchema): string {
  const title = schema.title;
  if (typeof title !== 'string') throw new Error(`body schema ${String(schema.$id)} has no title`);
  return title;
}
