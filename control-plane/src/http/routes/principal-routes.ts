/**
 * Users and service accounts (docs/guides/api.md, "Principals"). Principal changes are
 * account-wide: they need a key without a constraint. Rules live in services/principal-service.ts.
 */
import type { PrincipalCreate, PrincipalUpdate } from '@managed-dev/contract';
import type { Principal } from '../../storage/principal-repository';
import { defineRoute } from '../route-definition';
import { principalCreateSchema, principalUpdateSchema } from '../schemas';
import { accountWideTarget, resolvePrincipal } from './resource-targets';
import { principalSchema, renderPrincipal } from './principal-views';

export const principalRoutes = [
  defineRoute<PrincipalCreate>({
    method: 'post',
    path: '/v1/principals',
    errors: ['role_not_allowed'],
    audit: 'principal.create',
    scope: 'members:write',
    summary: 'Create a user or service account (with a role not above your own)',
    tags: ['members'],
    bodySchema: principalCreateSchema,
    resolveTarget: ({ caller }) => ({ resource: accountWideTarget(caller), value: undefined }),
    responses: { 201: { description: 'The principal', schema: principalSchema } },
    handler: async ({ caller, body, services, now }) => {
      const principal = await services.principalService.create(caller!, body, now);
      return {
        status: 201,
        body: await renderPrincipal(principal, services),
        headers: { Location: `/v1/principals/${principal.id}` },
        audit: { detail: `${body.kind} "${body.name}" with role ${body.role}` },
      };
    },
  }),
  defineRoute<PrincipalUpdate, Principal>({
    method: 'patch',
    path: '/v1/principals/{id}',
    errors: ['role_not_allowed', 'last_owner'],
    audit: 'principal.update',
    scope: 'members:write',
    summary: 'Rename a principal or change its role (every key it owns follows at once)',
    tags: ['members'],
    bodySchema: principalUpdateSchema,
    resolveTarget: resolvePrincipal,
    responses: { 200: { description: 'The principal', schema: principalSchema } },
    handler: async ({ caller, target, body, services }) => {
      const { principal, changes } = await services.principalService.update(caller!, target, body);
      return { status: 200, body: await renderPrincipal(principal, services), audit: { detail: changes.length > 0 ? changes.join(', ') : 'no change' } };
    },
  }),
  defineRoute<undefined, Principal>({
    method: 'delete',
    path: '/v1/principals/{id}',
    errors: ['role_not_allowed', 'last_owner'],
    audit: 'principal.delete',
    scope: 'members:write',
    summary: 'Delete a principal; its keys stop working (401) and stay readable',
    tags: ['members'],
    resolveTarget: resolvePrincipal,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ caller, target, services, now }) => {
      await services.principalService.delete(caller!, target, now);
      return { status: 204, audit: { detail: `${target.kind} "${target.name}" (role ${target.role}) deleted` } };
    },
  }),
];
