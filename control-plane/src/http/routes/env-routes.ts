/** A site's environment variables (docs/guides/api.md, "Site sub-resources"). Rules live in services/site-service.ts. */
import type { EnvReplace } from '@managed-dev/contract';
import type { Site } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { envReplaceSchema } from '../schemas';
import { resolveSite } from './resource-targets';
import { envSchema } from './site-resource-views';

export const envRoutes = [
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/env',
    scope: 'env:read',
    summary: "Read a site's environment variables",
    tags: ['env'],
    resolveTarget: resolveSite,
    responses: { 200: { description: '{variables}', schema: envSchema } },
    handler: async ({ target, services }) => ({ status: 200, body: { variables: await services.siteService.env(target) } }),
  }),
  defineRoute<EnvReplace, Site>({
    method: 'put',
    path: '/v1/sites/{id}/env',
    scope: 'env:write',
    summary: "Replace a site's environment variables",
    tags: ['env'],
    bodySchema: envReplaceSchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{variables}', schema: envSchema } },
    handler: async ({ target, body, services, now }) => ({
      status: 200,
      body: { variables: await services.siteService.replaceEnv(target, body.variables, now) },
    }),
  }),
];
