/** A WordPress site's plugins and page cache (docs/guides/api.md, "Site sub-resources"). Rules live in services/site-service.ts. */
import type { WpCacheFlush } from '@managed-dev/contract';
import type { Site } from '../../storage/tree-repository';
import { defineRoute, JsonSchema } from '../route-definition';
import { wpCacheFlushSchema } from '../schemas';
import { iso, pageSchema, resolveSite } from './resource-targets';
import { str, time } from './site-resource-views';

const cacheFlushSchema: JsonSchema = {
  type: 'object',
  properties: { id: str, site_id: str, paths: { type: 'array', items: str }, status: { enum: ['recorded'] }, created_at: time },
};

export const wordpressRoutes = [
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/wp/plugins',
    scope: 'wp:read',
    summary: "List a WordPress site's plugins",
    tags: ['wp'],
    resolveTarget: resolveSite,
    responses: {
      200: {
        description: '{items, next_cursor}',
        schema: pageSchema({ type: 'object', properties: { slug: str, version: str, active: { type: 'boolean' } } }),
      },
    },
    handler: async ({ target, services }) => ({ status: 200, body: { items: await services.siteService.plugins(target), next_cursor: null } }),
  }),
  defineRoute<WpCacheFlush, Site>({
    method: 'post',
    path: '/v1/sites/{id}/wp/cache-flush',
    scope: 'wp:write',
    summary: "Flush a WordPress site's page cache (all of it, or the given paths)",
    tags: ['wp'],
    bodySchema: wpCacheFlushSchema,
    bodyRequired: false,
    resolveTarget: resolveSite,
    responses: { 202: { description: 'The flush request', schema: cacheFlushSchema } },
    handler: async ({ target, body, services, now }) => {
      const flush = await services.siteService.flushCache(target, body.paths ?? [], now);
      return { status: 202, body: { id: flush.id, site_id: flush.siteId, paths: [...flush.paths], status: 'recorded', created_at: iso(flush.createdAt) } };
    },
  }),
];
