/** Team membership (docs/guides/api.md, "Principals"): idempotent PUT and DELETE. Rules live in services/principal-service.ts. */
import type { Team } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { resolveTeam } from './resource-targets';

export const teamMemberRoutes = [
  defineRoute<undefined, Team>({
    method: 'put',
    path: '/v1/teams/{id}/members/{principal_id}',
    audit: 'team.member.add',
    scope: 'members:write',
    summary: 'Add a principal to a team (idempotent)',
    tags: ['members'],
    resolveTarget: resolveTeam,
    responses: {
      200: { description: 'The membership', schema: { type: 'object', properties: { team_id: { type: 'string' }, principal_id: { type: 'string' } } } },
    },
    handler: async ({ target, params, services, now }) => {
      const { principal, added } = await services.principalService.addMember(target, params.principal_id!, now);
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
    handler: async ({ target, params, services }) => {
      const { principal, removed } = await services.principalService.removeMember(target, params.principal_id!);
      return { status: 204, audit: { target: `${target.id}/${principal.id}`, detail: removed ? 'removed' : 'was not a member' } };
    },
  }),
];
