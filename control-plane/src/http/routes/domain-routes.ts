/** A site's domains (docs/guides/api.md, "Site sub-resources"). Rules live in services/site-service.ts. */
import type { DomainCreate } from '@managed-dev/contract';
import type { Site } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { domainCreateSchema } from '../schemas';
import { iso, pageSchema, resolveSite } from './resource-targets';
import { domainSchema } from './site-resource-views';

export const domainRoutes = [
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/domains',
    scope: 'domains:read',
    summary: "List a site's domains",
    tags: ['domains'],
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(domainSchema) } },
    handler: async ({ target, services }) => ({
      status: 200,
      body: { items: (await services.siteService.domains(target)).map((d) => ({ hostname: d.hostname, created_at: iso(d.createdAt) })), next_cursor: null },
    }),
  }),
  defineRoute<DomainCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/domains',
    scope: 'domains:write',
    summary: 'Attach a domain (attaching an attached domain answers 200)',
    tags: ['domains'],
    bodySchema: domainCreateSchema,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'Attached', schema: domainSchema }, 200: { description: 'Already attached', schema: domainSchema } },
    handler: async ({ target, body, services, now }) => {
      const { domain, added } = await services.siteService.attachDomain(target, body.hostname, now);
      return { status: added ? 201 : 200, body: { hostname: domain.hostname, created_at: iso(domain.createdAt) } };
    },
  }),
  defineRoute<undefined, Site>({
    method: 'delete',
    path: '/v1/sites/{id}/domains/{domain}',
    scope: 'domains:write',
    summary: 'Detach a domain',
    tags: ['domains'],
    resolveTarget: resolveSite,
    responses: { 204: { description: 'Detached' } },
    handler: async ({ target, params, services, now }) => {
      await services.siteService.detachDomain(target, params.domain!, now);
      return { status: 204 };
    },
  }),
];
