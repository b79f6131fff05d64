/**
 * The route table: every API route, in one list. Express routes and the OpenAPI document are
 * built from it, and the scope each route needs is written only here (in each definition).
 * Add an area by writing `http/routes/<area>-routes.ts` and spreading its list below.
 */
import { accountRoutes } from './routes/account-routes';
import { activityRoutes } from './routes/activity-routes';
import { auditRoutes } from './routes/audit-routes';
import { backupRoutes } from './routes/backup-routes';
import { credentialRoutes } from './routes/credential-routes';
import { deployRoutes } from './routes/deploy-routes';
import { domainRoutes } from './routes/domain-routes';
import { envRoutes } from './routes/env-routes';
import { execRoutes } from './routes/exec-routes';
import { keyRoutes } from './routes/key-routes';
import { metaRoutes } from './routes/meta-routes';
import { operatorRoutes } from './routes/operator-routes';
import { principalRoutes } from './routes/principal-routes';
import { projectRoutes } from './routes/project-routes';
import { siteRoutes } from './routes/site-routes';
import { teamMemberRoutes } from './routes/team-member-routes';
import { teamRoutes } from './routes/team-routes';
import { wordpressRoutes } from './routes/wordpress-routes';
import { sessionRoutes } from './routes/session-routes';
import type { AnyRouteDefinition } from './route-definition';

const AREA_ROUTES: readonly AnyRouteDefinition[] = [
  ...operatorRoutes,
  ...metaRoutes,
  ...keyRoutes,
  ...accountRoutes,
  ...principalRoutes,
  ...teamMemberRoutes,
  ...teamRoutes,
  ...projectRoutes,
  ...siteRoutes,
  ...deployRoutes,
  ...domainRoutes,
  ...envRoutes,
  ...activityRoutes,
  ...backupRoutes,
  ...wordpressRoutes,
  ...credentialRoutes,
  ...execRoutes,
  ...sessionRoutes,
];

// The audit routes come last and are told every other route, so `?action=` knows every action name.
export const ROUTES: readonly AnyRouteDefinition[] = [...AREA_ROUTES, ...auditRoutes(AREA_ROUTES)];
