/** A site's credentials (docs/guides/api.md, "Site sub-resources"). Rules live in services/site-service.ts. */
import type { CredentialCreate } from '@managed-dev/contract';
import { pageOf } from '../../domain/page-cursor';
import type { Site } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { credentialCreateSchema } from '../schemas';
import { listQuerySchema, pageRequest, pageSchema, resolveSite } from './resource-targets';
import { credentialSchema, credentialWithPasswordSchema, renderCredentialMetadata } from './site-resource-views';

export const credentialRoutes = [
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/credentials',
    scope: 'credentials:read',
    summary: "List a site's credentials, passwords included",
    tags: ['credentials'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(credentialWithPasswordSchema) } },
    handler: async ({ target, query, services }) => {
      const page = pageRequest(query);
      const rows = await services.siteService.listCredentials(target, page);
      return { status: 200, body: pageOf(rows, page.limit, (c) => ({ ...renderCredentialMetadata(c), password: services.siteService.passwordOf(c) })) };
    },
  }),
  defineRoute<CredentialCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/credentials',
    errors: ['name_taken'],
    scope: 'credentials:write',
    summary: 'Store a credential (encrypted); the password is returned only by GET, to credentials:read',
    tags: ['credentials'],
    bodySchema: credentialCreateSchema,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'The credential without its password', schema: credentialSchema } },
    handler: async ({ target, body, services, now }) => ({
      status: 201,
      body: renderCredentialMetadata(await services.siteService.storeCredential(target, body, now)),
    }),
  }),
];
