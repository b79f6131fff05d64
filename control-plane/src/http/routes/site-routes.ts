/** Sites (docs/guides/api.md, "Resource tree"). Rules live in services/tree-service.ts. */
import type { SiteCreate, SiteUpdate } from '@managed-dev/contract';
import type { Project, Site } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { siteCreateSchema, siteUpdateSchema } from '../schemas';
import { listQuerySchema, pageRequest, pageSchema, resolveProject, resolveSite } from './resource-targets';
import { renderCachedSite, renderSite, siteSchema } from './tree-views';

export const siteRoutes = [
  defineRoute<undefined, Project>({
    method: 'get',
    path: '/v1/projects/{id}/sites',
    scope: 'sites:read',
    summary: "List a project's sites the caller can see",
    tags: ['sites'],
    querySchema: listQuerySchema,
    resolveTarget: resolveProject,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(siteSchema) } },
    handler: async ({ caller, target, query, services }) => {
      const page = await services.treeService.listSites(caller!, target, pageRequest(query));
      return { status: 200, body: { items: page.items.map(renderSite), next_cursor: page.nextCursor } };
    },
  }),
  defineRoute<SiteCreate, Project>({
    method: 'post',
    path: '/v1/projects/{id}/sites',
    errors: ['name_taken'],
    scope: 'sites:write',
    summary: 'Create a site in a project',
    tags: ['sites'],
    bodySchema: siteCreateSchema,
    resolveTarget: resolveProject,
    responses: { 201: { description: 'The site', schema: siteSchema } },
    handler: async ({ target, body, services, now }) => {
      const site = await services.treeService.createSite(target, body, now);
      return { status: 201, body: renderSite(site), headers: { Location: `/v1/sites/${site.id}` } };
    },
  }),
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}',
    scope: 'sites:read',
    summary: 'Read a site',
    tags: ['sites'],
    resolveTarget: resolveSite,
    responses: { 200: { description: 'The site', schema: siteSchema } },
    handler: ({ target }) => ({ status: 200, body: renderCachedSite(target) }),
  }),
  defineRoute<SiteUpdate, Site>({
    method: 'patch',
    path: '/v1/sites/{id}',
    errors: ['name_taken'],
    scope: 'sites:write',
    summary: 'Rename a site or change its runtime',
    tags: ['sites'],
    bodySchema: siteUpdateSchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: 'The site', schema: siteSchema } },
    handler: async ({ target, body, services, now }) => ({ status: 200, body: renderSite(await services.treeService.updateSite(target, body, now)) }),
  }),
  defineRoute<undefined, Site>({
    method: 'delete',
    path: '/v1/sites/{id}',
    scope: 'sites:write',
    summary: 'Delete a site (its deploys, domains, env, backups and credentials go with it)',
    tags: ['sites'],
    resolveTarget: resolveSite,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ target, services, now }) => {
      await services.treeService.deleteSite(target, now);
      return { status: 204 };
    },
  }),
];
