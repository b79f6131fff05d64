/** A site's activity log and metrics (docs/guides/api.md, "Site sub-resources"). Rules live in services/site-service.ts. */
import { encodeCursor } from '../../domain/page-cursor';
import type { Site } from '../../storage/tree-repository';
import { defineRoute, JsonSchema } from '../route-definition';
import { iso, listQuerySchema, pageRequest, pageSchema, resolveSite } from './resource-targets';
import { str, time } from './site-resource-views';

const countersSchema: JsonSchema = {
  type: 'object',
  properties: {
    site_id: str,
    deploys_total: { type: 'integer' },
    last_deploy_at: { type: ['string', 'null'], format: 'date-time' },
    domains_total: { type: 'integer' },
    env_vars_total: { type: 'integer' },
    backups_total: { type: 'integer' },
    backup_bytes_total: { type: 'integer' },
    cache_flushes_total: { type: 'integer' },
    log_lines_total: { type: 'integer' },
  },
};

export const activityRoutes = [
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/logs',
    scope: 'logs:read',
    summary: "Read a site's activity log, oldest first",
    tags: ['logs'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: {
      200: {
        description: '{items, next_cursor}',
        schema: pageSchema({ type: 'object', properties: { id: { type: 'integer' }, time, level: { enum: ['info', 'warn'] }, message: str } }),
      },
    },
    handler: async ({ target, query, services }) => {
      const request = pageRequest(query);
      const rows = await services.siteService.events(target, request);
      const page = rows.slice(0, request.limit);
      const last = page[page.length - 1];
      return {
        status: 200,
        body: {
          items: page.map((e) => ({ id: e.id, time: iso(e.createdAt), level: e.level, message: e.message })),
          // Log lines are ordered by their integer id; the cursor carries the last id seen.
          next_cursor: rows.length > request.limit && last ? encodeCursor({ createdAt: last.id, id: `log_${last.id}` }) : null,
        },
      };
    },
  }),
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/metrics',
    scope: 'metrics:read',
    summary: "Read a site's metrics, counted from its stored state",
    tags: ['metrics'],
    resolveTarget: resolveSite,
    responses: { 200: { description: 'Counters', schema: countersSchema } },
    handler: async ({ target, services }) => {
      const metrics = await services.siteService.metrics(target);
      return {
        status: 200,
        body: {
          site_id: target.id,
          deploys_total: metrics.deploysTotal,
          last_deploy_at: metrics.lastDeployAt === null ? null : iso(metrics.lastDeployAt),
          domains_total: metrics.domainsTotal,
          env_vars_total: metrics.envVarsTotal,
          backups_total: metrics.backupsTotal,
          backup_bytes_total: metrics.backupBytesTotal,
          cache_flushes_total: metrics.cacheFlushesTotal,
          log_lines_total: metrics.logLinesTotal,
        },
      };
    },
  }),
];
