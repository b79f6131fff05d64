/**
 * The one list of request-body JSON Schemas: each line publishes one schema/*.schema.json under
 * the name routes import it by. schemas.ts collects every export of this file into BODY_SCHEMAS
 * (ajv registration, components.schemas of the OpenAPI document), so a schema added here is
 * validated and published without being listed a second time. Export nothing else from this file.
 */
export { default as keyCreateSchema } from '../../../schema/key-create.schema.json';
export { default as keyUpdateSchema } from '../../../schema/key-update.schema.json';
export { default as keyRotateSchema } from '../../../schema/key-rotate.schema.json';
// Resource tree, principals and site sub-resources (docs/guides/api.md#endpoints).
export { default as principalCreateSchema } from '../../../schema/principal-create.schema.json';
export { default as principalUpdateSchema } from '../../../schema/principal-update.schema.json';
export { default as teamCreateSchema } from '../../../schema/team-create.schema.json';
export { default as teamUpdateSchema } from '../../../schema/team-update.schema.json';
export { default as projectCreateSchema } from '../../../schema/project-create.schema.json';
export { default as projectUpdateSchema } from '../../../schema/project-update.schema.json';
export { default as siteCreateSchema } from '../../../schema/site-create.schema.json';
export { default as siteUpdateSchema } from '../../../schema/site-update.schema.json';
export { default as deployCreateSchema } from '../../../schema/deploy-create.schema.json';
export { default as domainCreateSchema } from '../../../schema/domain-create.schema.json';
export { default as envReplaceSchema } from '../../../schema/env-replace.schema.json';
export { default as backupCreateSchema } from '../../../schema/backup-create.schema.json';
export { default as wpCacheFlushSchema } from '../../../schema/wp-cache-flush.schema.json';
export { default as credentialCreateSchema } from '../../../schema/credential-create.schema.json';
export { default as execCreateSchema } from '../../../schema/exec-create.schema.json';
