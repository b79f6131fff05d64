/** A site's deploys (docs/guides/api.md, "Site sub-resources"). Rules live in services/site-service.ts. */
import type { DeployCreate } from '@managed-dev/contract';
import { pageOf } from '../../domain/page-cursor';
import type { Site } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { deployCreateSchema } from '../schemas';
import { listQuerySchema, pageRequest, pageSchema, resolveSite } from './resource-targets';
import { deploySchema, renderDeploy } from './site-resource-views';

export const deployRoutes = [
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/deploys',
    scope: 'deploys:read',
    summary: "List a site's deploys",
    tags: ['deploys'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(deploySchema) } },
    handler: async ({ target, query, services }) => {
      const page = pageRequest(query);
      return { status: 200, body: pageOf(await services.siteService.listDeploys(target, page), page.limit, renderDeploy) };
    },
  }),
  defineRoute<DeployCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/deploys',
    scope: 'deploys:write',
    summary: 'Record a deploy of a git ref',
    tags: ['deploys'],
    bodySchema: deployCreateSchema,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'The deploy', schema: deploySchema } },
    handler: async ({ caller, target, body, services, now }) => ({
      status: 201,
      body: renderDeploy(await services.siteService.recordDeploy(target, caller!.keyId, body, now)),
    }),
  }),
];
