/**
 * The route table: every API route, in one list. Express routes and the OpenAPI document are
 * built from it, and the scope each route needs is written only here (in each definition).
 * Add an area by writing `http/routes/<area>-routes.ts` and spreading its list below.
 */
import { accountRoutes } from './routes/account-routes';
import { auditRoutes } from './routes/audit-routes';
import { keyRoutes } from './routes/key-routes';
import { siteRoutes } from './routes/site-routes';
import { treeRoutes } from './routes/tree-routes';
import { metaRoutes } from './routes/meta-routes';
import { sessionRoutes } from './routes/session-routes';
import type { AnyRouteDefinition } from './route-definition';

export const ROUTES: readonly AnyRouteDefinition[] = [
  ...metaRoutes,
  ...keyRoutes,
  ...accountRoutes,
  ...treeRoutes,
  ...siteRoutes,
  ...auditRoutes,
  ...sessionRoutes,
];
