/**
 * The account, its principals (users and service accounts) and team membership (SPEC §2, §5.1).
 * Principal changes are account-wide: they need a key without a constraint, and nobody hands
 * out or touches a role above their own (domain/principal-rules.ts).
 */
import type { PrincipalCreate, PrincipalUpdate } from '@managed-dev/contract';
import { notFound } from '../../domain/errors';
import { newId, type Role } from '@managed-dev/contract';
import { decodeCursor, pageOf } from '../../domain/page-cursor';
import {
  lastOwner,
  principalChangeRefusals,
  removesLastOwner,
  roleNotAllowed,
} from '../../domain/principal-rules';
import type { Principal, PrincipalKind } from '../../storage/principal-repository';
import type { Team } from '../../storage/tree-repository';
import type { AppServices } from '../../services/app-services';
import { defineRoute, JsonSchema } from '../route-definition';
import { principalCreateSchema, principalUpdateSchema } from '../schemas';
import { accountWideTarget, iso, listQuerySchema, pageLimit, pageSchema, resolvePrincipal, resolveTeam } from './resource-targets';

const principalSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'kind', 'role', 'team_ids', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { enum: ['user', 'service'] },
    role: { enum: ['owner', 'admin', 'member', 'viewer'] },
    team_ids: { type: 'array', items: { type: 'string' } },
    created_at: { type: 'string', format: 'date-time' },
  },
};

export function renderPrincipal(principal: Principal, services: AppServices) {
  return {
    id: principal.id,
    name: principal.name,
    kind: principal.kind,
    role: principal.role,
    team_ids: services.tree.teamIdsOf(principal.id).sort(),
    created_at: iso(principal.createdAt),
  };
}

/** The role of the principal making the request, read now (it may have changed since the key was minted). */
function actorRole(services: AppServices, principalId: string): Role {
  const actor = services.principals.findById(principalId);
  if (!actor || actor.deletedAt !== null) throw notFound();
  return actor.role;
}

export const accountRoutes = [
  defineRoute<undefined>({
    method: 'get',
    path: '/v1/account',
    scope: 'account:read',
    summary: "Read the caller's account",
    tags: ['account'],
    responses: {
      200: {
        description: 'The account',
        schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } } },
      },
    },
    handler: ({ caller, services }) => {
      const account = services.accounts.findById(caller!.accountId)!;
      return { status: 200, body: { id: account.id, name: account.name, created_at: iso(account.createdAt) } };
    },
  }),
  defineRoute<undefined>({
    method: 'get',
    path: '/v1/members',
    scope: 'members:read',
    summary: "List the account's principals with their roles and teams",
    tags: ['members'],
    querySchema: listQuerySchema,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(principalSchema) } },
    handler: ({ caller, query, services }) => {
      const limit = pageLimit(query);
      const after = query.cursor !== undefined ? decodeCursor(query.cursor as string) : undefined;
      const rows = services.principals.listLive(caller!.accountId, limit + 1, after);
      return { status: 200, body: pageOf(rows, limit, (p) => renderPrincipal(p, services)) };
    },
  }),
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
    handler: ({ caller, body, services, now }) => {
      const refusals = principalChangeRefusals({ actorRole: actorRole(services, caller!.principalId), newRole: body.role });
      if (refusals.length > 0) throw roleNotAllowed(refusals);
      const id = newId('principal');
      services.principals.insert({ id, accountId: caller!.accountId, name: body.name, kind: body.kind, role: body.role, createdAt: now.getTime() });
      return {
        status: 201,
        body: renderPrincipal(services.principals.findById(id)!, services),
        headers: { Location: `/v1/principals/${id}` },
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
    summary: "Rename a principal or change its role (every key it owns follows at once)",
    tags: ['members'],
    bodySchema: principalUpdateSchema,
    resolveTarget: resolvePrincipal,
    responses: { 200: { description: 'The principal', schema: principalSchema } },
    handler: ({ caller, target, body, services }) => {
      const refusals = principalChangeRefusals({
        actorRole: actorRole(services, caller!.principalId),
        currentRole: target.role,
        ...(body.role !== undefined ? { newRole: body.role } : {}),
      });
      if (refusals.length > 0) throw roleNotAllowed(refusals);
      services.db.transaction(() => {
        if (body.role !== undefined && removesLastOwner(target.role, body.role, services.principals.countLiveOwners(target.accountId))) {
          throw lastOwner();
        }
        services.principals.update(target.id, body);
      }).immediate();
      const changes = [
        ...(body.name !== undefined && body.name !== target.name ? [`name "${target.name}" → "${body.name}"`] : []),
        ...(body.role !== undefined && body.role !== target.role ? [`role ${target.role} → ${body.role}`] : []),
      ];
      return {
        status: 200,
        body: renderPrincipal(services.principals.findById(target.id)!, services),
        audit: { detail: changes.length > 0 ? changes.join(', ') : 'no change' },
      };
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
    handler: ({ caller, target, services, now }) => {
      const refusals = principalChangeRefusals({ actorRole: actorRole(services, caller!.principalId), currentRole: target.role });
      if (refusals.length > 0) throw roleNotAllowed(refusals);
      services.db.transaction(() => {
        if (removesLastOwner(target.role, null, services.principals.countLiveOwners(target.accountId))) throw lastOwner();
        services.principals.softDelete(target.id, now.getTime());
        services.tree.removeAllMemberships(target.id);
      }).immediate();
      return { status: 204, audit: { detail: `${target.kind} "${target.name}" (role ${target.role}) deleted` } };
    },
  }),
  defineRoute<undefined, Team>({
    method: 'put',
    path: '/v1/teams/{id}/members/{principal_id}',
    audit: 'team.member.add',
    scope: 'members:write',
    summary: 'Add a principal to a team (idempotent)',
    tags: ['members'],
    resolveTarget: resolveTeam,
    responses: { 200: { description: 'The membership', schema: { type: 'object', properties: { team_id: { type: 'string' }, principal_id: { type: 'string' } } } } },
    handler: ({ target, params, services, now }) => {
      const principal = services.principals.findById(params.principal_id!);
      // Another account's principal reads exactly like a missing one.
      if (!principal || principal.deletedAt !== null || principal.accountId !== target.accountId) throw notFound();
      const added = services.tree.addMember(target.id, principal.id, now.getTime());
      return {
        status: 200,
        body: { team_id: target.id, principal_id: principal.id },
        audit: { target: `${target.id}/${principal.id}`, detail: added ? 'added' : 'already a member' },
      };
    },
  }),
  defineRoute<undefined, Team>({
    method: 'delete',
    path: '/v1/teams/{id}/members/{principal_id}',
    audit: 'team.member.remove',
    scope: 'members:write',
    summary: 'Remove a principal from a team (idempotent)',
    tags: ['members'],
    resolveTarget: resolveTeam,
    responses: { 204: { description: 'Removed (or was not a member)' } },
    handler: ({ target, params, services }) => {
      const principal = services.principals.findById(params.principal_id!);
      if (!principal || principal.accountId !== target.accountId) throw notFound();
      const removed = services.tree.removeMember(target.id, principal.id);
      return { status: 204, audit: { target: `${target.id}/${principal.id}`, detail: removed ? 'removed' : 'was not a member' } };
    },
  }),
];

