/** Teams (docs/guides/api.md, "Resource tree"). Rules live in services/tree-service.ts. */
import type { TeamCreate, TeamUpdate } from '@managed-dev/contract';
import type { Team } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { teamCreateSchema, teamUpdateSchema } from '../schemas';
import { accountWideTarget, listQuerySchema, pageRequest, pageSchema, resolveTeam } from './resource-targets';
import { renderTeam, teamSchema } from './tree-views';

export const teamRoutes = [
  defineRoute<undefined>({
    method: 'get',
    path: '/v1/teams',
    scope: 'teams:read',
    summary: 'List the teams the caller can see',
    tags: ['teams'],
    querySchema: listQuerySchema,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(teamSchema) } },
    handler: async ({ caller, query, services }) => {
      const page = await services.treeService.listTeams(caller!, pageRequest(query));
      return { status: 200, body: { items: page.items.map(renderTeam), next_cursor: page.nextCursor } };
    },
  }),
  defineRoute<TeamCreate>({
    method: 'post',
    path: '/v1/teams',
    errors: ['name_taken'],
    scope: 'teams:write',
    summary: 'Create a team (needs a key without a constraint)',
    tags: ['teams'],
    bodySchema: teamCreateSchema,
    resolveTarget: ({ caller }) => ({ resource: accountWideTarget(caller), value: undefined }),
    responses: { 201: { description: 'The team', schema: teamSchema } },
    handler: async ({ caller, body, services, now }) => {
      const team = await services.treeService.createTeam(caller!, body.name, now);
      return { status: 201, body: renderTeam(team), headers: { Location: `/v1/teams/${team.id}` } };
    },
  }),
  defineRoute<undefined, Team>({
    method: 'get',
    path: '/v1/teams/{id}',
    scope: 'teams:read',
    summary: 'Read a team',
    tags: ['teams'],
    resolveTarget: resolveTeam,
    responses: { 200: { description: 'The team', schema: teamSchema } },
    handler: ({ target }) => ({ status: 200, body: renderTeam(target) }),
  }),
  defineRoute<TeamUpdate, Team>({
    method: 'patch',
    path: '/v1/teams/{id}',
    errors: ['name_taken'],
    scope: 'teams:write',
    summary: 'Rename a team',
    tags: ['teams'],
    bodySchema: teamUpdateSchema,
    resolveTarget: resolveTeam,
    responses: { 200: { description: 'The team', schema: teamSchema } },
    handler: async ({ target, body, services, now }) => ({ status: 200, body: renderTeam(await services.treeService.renameTeam(target, body.name, now)) }),
  }),
  defineRoute<undefined, Team>({
    method: 'delete',
    path: '/v1/teams/{id}',
    errors: ['team_not_empty'],
    scope: 'teams:write',
    summary: 'Delete an empty team',
    tags: ['teams'],
    resolveTarget: resolveTeam,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ target, services, now }) => {
      await services.treeService.deleteTeam(target, now);
      return { status: 204 };
    },
  }),
];
