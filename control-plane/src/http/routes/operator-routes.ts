/**
 * Probes for whoever runs the control plane (docs/guides/configuration.md): public, cheap, never
 * audited. /healthz answers while the process serves HTTP; /readyz also asks the database one
 * indexed question, so a load balancer stops sending traffic to an instance whose database is
 * unreachable or not fully migrated.
 */
import { ApiError } from '../../domain/errors';
import { loadMigrations, pendingMigrations } from '../../storage/migrate';
import { defineRoute } from '../route-definition';

/** Read once: the migrations this build ships are fixed for the life of the process. */
let knownVersions: readonly number[] | undefined;

function notReady(detail: string): ApiError {
  return new ApiError({ code: 'not_ready', detail, headers: { 'Retry-After': '5' } });
}

const healthRoute = defineRoute({
  method: 'get',
  path: '/healthz',
  scope: null,
  public: true,
  summary: 'Liveness: the process is up and serving HTTP',
  tags: ['operations'],
  responses: { 200: { description: 'Up', schema: { type: 'object', properties: { status: { const: 'ok' } } } } },
  handler: () => ({ status: 200, body: { status: 'ok' } }),
});

const readyRoute = defineRoute({
  method: 'get',
  path: '/readyz',
  scope: null,
  public: true,
  summary: 'Readiness: the database answers and every migration of this build is applied',
  tags: ['operations'],
  errors: ['not_ready'],
  responses: {
    200: {
      description: 'Ready',
      schema: { type: 'object', properties: { status: { const: 'ready' }, schema_version: { type: 'integer' } } },
    },
  },
  handler: async ({ services }) => {
    knownVersions ??= loadMigrations().map((migration) => migration.version);
    let pending: number[];
    try {
      pending = await pendingMigrations(services.db, knownVersions);
    } catch {
      // The reason stays out of a public answer; the operator sees the 503 in the request log.
      throw notReady('The database is unreachable.');
    }
    if (pending.length > 0) throw notReady(`Migrations not applied yet: ${pending.join(', ')}.`);
    return { status: 200, body: { status: 'ready', schema_version: Math.max(0, ...knownVersions) } };
  },
});

export const operatorRoutes = [healthRoute, readyRoute];
