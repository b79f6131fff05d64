/** Projects (docs/guides/api.md, "Resource tree"). Rules live in services/tree-service.ts. */
import type { ProjectCreate, ProjectUpdate } from '@managed-dev/contract';
import type { Project, Team } from '../../storage/tree-repository';
import { defineRoute } from '../route-definition';
import { projectCreateSchema, projectUpdateSchema } from '../schemas';
import { listQuerySchema, pageRequest, pageSchema, resolveProject, resolveTeam } from './resource-targets';
import { projectSchema, renderProject } from './tree-views';

export const projectRoutes = [
  defineRoute<undefined, Team>({
    method: 'get',
    path: '/v1/teams/{id}/projects',
    scope: 'projects:read',
    summary: "List a team's projects the caller can see",
    tags: ['projects'],
    querySchema: listQuerySchema,
    resolveTarget: resolveTeam,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(projectSchema) } },
    handler: async ({ caller, target, query, services }) => {
      const page = await services.treeService.listProjects(caller!, target, pageRequest(query));
      return { status: 200, body: { items: page.items.map(renderProject), next_cursor: page.nextCursor } };
    },
  }),
  defineRoute<ProjectCreate, Team>({
    method: 'post',
    path: '/v1/teams/{id}/projects',
    errors: ['name_taken'],
    scope: 'projects:write',
    summary: 'Create a project in a team',
    tags: ['projects'],
    bodySchema: projectCreateSchema,
    resolveTarget: resolveTeam,
    responses: { 201: { description: 'The project', schema: projectSchema } },
    handler: async ({ target, body, services, now }) => {
      const project = await services.treeService.createProject(target, body.name, now);
      return { status: 201, body: renderProject(project), headers: { Location: `/v1/projects/${project.id}` } };
    },
  }),
  defineRoute<undefined, Project>({
    method: 'get',
    path: '/v1/projects/{id}',
    scope: 'projects:read',
    summary: 'Read a project',
    tags: ['projects'],
    resolveTarget: resolveProject,
    responses: { 200: { description: 'The project', schema: projectSchema } },
    handler: ({ target }) => ({ status: 200, body: renderProject(target) }),
  }),
  defineRoute<ProjectUpdate, Project>({
    method: 'patch',
    path: '/v1/projects/{id}',
    errors: ['name_taken'],
    scope: 'projects:write',
    summary: 'Rename a project',
    tags: ['projects'],
    bodySchema: projectUpdateSchema,
    resolveTarget: resolveProject,
    responses: { 200: { description: 'The project', schema: projectSchema } },
    handler: async ({ target, body, services, now }) => ({
      status: 200,
      body: renderProject(await services.treeService.renameProject(target, body.name, now)),
    }),
  }),
  defineRoute<undefined, Project>({
    method: 'delete',
    path: '/v1/projects/{id}',
    errors: ['project_not_empty'],
    scope: 'projects:write',
    summary: 'Delete a project without sites',
    tags: ['projects'],
    resolveTarget: resolveProject,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ target, services, now }) => {
      await services.treeService.deleteProject(target, now);
      return { status: 204 };
    },
  }),
];
