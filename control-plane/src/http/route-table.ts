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
import { operatorRoutes } from './routes/operator-routes';
import type { AnyRouteDefinition } from './route-definition';

const AREA_ROUTES: readonly AnyRouteDefinition[] = [
  ...operatorRoutes,
  ...metaRoutes,
  ...keyRoutes,
  ...accountRoutes,
  ...treeRoutes,
  ...siteRoutes,
];

// The audit routes come last and are told every other route, so `?action=` knows every action name.
export const ROUTES: readonly AnyRouteDefinition[] = [...AREA_ROUTES, ...auditRoutes(AREA_ROUTES)];
