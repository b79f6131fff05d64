/** Exec jobs (docs/guides/api.md, "Site sub-resources"): recorded for the site's runner, never run here. */
import type { ExecCreate } from '@managed-dev/contract';
import type { Site } from '../../storage/tree-repository';
import { defineRoute, JsonSchema } from '../route-definition';
import { execCreateSchema } from '../schemas';
import { iso, resolveSite } from './resource-targets';
import { str, time } from './site-resource-views';

const execJobSchema: JsonSchema = {
  type: 'object',
  properties: { id: str, site_id: str, command: { type: 'array', items: str }, status: { enum: ['recorded'] }, created_at: time },
};

export const execRoutes = [
  defineRoute<ExecCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/exec',
    scope: 'exec:raw',
    summary: "Record a command for the site's runner; nothing runs on the control plane",
    tags: ['exec'],
    bodySchema: execCreateSchema,
    resolveTarget: resolveSite,
    responses: { 202: { description: 'The recorded job', schema: execJobSchema } },
    handler: async ({ caller, target, body, services, now }) => {
      const job = await services.siteService.recordExecJob(target, caller!.keyId, body.command, now);
      return { status: 202, body: { id: job.id, site_id: job.siteId, command: [...job.command], status: job.status, created_at: iso(job.createdAt) } };
    },
  }),
];
