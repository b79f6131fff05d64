/** A site's configuration backups (docs/guides/api.md, "Site sub-resources"). Rules live in services/site-service.ts. */
import type { BackupCreate } from '@managed-dev/contract';
import { pageOf } from '../../domain/page-cursor';
import type { Site } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { backupCreateSchema } from '../schemas';
import { listQuerySchema, pageRequest, pageSchema, resolveSite } from './resource-targets';
import { backupSchema, renderBackup } from './site-resource-views';

export const backupRoutes = [
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/backups',
    scope: 'backups:read',
    summary: "List a site's backups",
    tags: ['backups'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(backupSchema) } },
    handler: async ({ target, query, services }) => {
      const page = pageRequest(query);
      return { status: 200, body: pageOf(await services.siteService.listBackups(target, page), page.limit, renderBackup) };
    },
  }),
  defineRoute<BackupCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/backups',
    scope: 'backups:write',
    summary: "Snapshot a site's configuration (runtime, domains, env, plugins)",
    tags: ['backups'],
    bodySchema: backupCreateSchema,
    bodyRequired: false,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'The backup', schema: backupSchema } },
    handler: async ({ target, body, services, now }) => ({ status: 201, body: renderBackup(await services.siteService.takeBackup(target, body, now)) }),
  }),
];
