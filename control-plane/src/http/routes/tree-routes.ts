/**
 * Teams, projects and sites (SPEC §2, §5.1). Lists show only what the caller can see: the
 * principal's teams for members and viewers, and the key's constraint subtree.
 */
import type { ProjectCreate, ProjectUpdate, SiteCreate, SiteUpdate, TeamCreate, TeamUpdate } from '@managed-dev/contract';
import { reachOf } from '../../domain/authorization';
import { ApiError, conflict } from '../../domain/errors';
import { newId } from '@managed-dev/contract';
import { decodeCursor, pageOf } from '../../domain/page-cursor';
import { isVisible, listableTeamIds } from '../../domain/visibility';
import type { Project, Site, Team } from '../../storage/tree-repository';
import { siteAncestry } from '../../storage/tree-repository';
import { frozenJsonBody } from '../fast-path';
import { defineRoute, JsonSchema } from '../route-definition';
import {
  projectCreateSchema,
  projectUpdateSchema,
  siteCreateSchema,
  siteUpdateSchema,
  teamCreateSchema,
  teamUpdateSchema,
} from '../schemas';
import { accountWideTarget, iso, listQuerySchema, pageLimit, pageSchema, resolveProject, resolveSite, resolveTeam } from './resource-targets';

export const renderTeam = (t: Team) => ({ id: t.id, name: t.name, created_at: iso(t.createdAt), updated_at: iso(t.updatedAt) });
export const renderProject = (p: Project) => ({ ...renderTeam(p), team_id: p.teamId });
export const renderSite = (s: Site) => ({
  id: s.id,
  name: s.name,
  runtime: s.runtime,
  team_id: s.teamId,
  project_id: s.projectId,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
});

/**
 * GET /v1/sites/{id} is the hottest read. Its target comes from the repository's site cache, which
 * hands out one frozen Site per site until the next database write, so the rendered body (two ISO
 * timestamps are the dearest part of it) and its JSON are kept beside that object and reused; a
 * changed site is a new object and is rendered afresh. Lists and writes render fresh rows directly.
 */
const renderedSites = new WeakMap<Site, ReturnType<typeof renderSite>>();
function renderCachedSite(site: Site): ReturnType<typeof renderSite> {
  let rendered = renderedSites.get(site);
  if (!rendered) {
    rendered = frozenJsonBody(renderSite(site));
    renderedSites.set(site, rendered);
  }
  return rendered;
}

const timestamps = { created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' } };
const teamSchema: JsonSchema = { type: 'object', required: ['id', 'name', 'created_at', 'updated_at'], properties: { id: { type: 'string' }, name: { type: 'string' }, ...timestamps } };
const projectSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'team_id', 'created_at', 'updated_at'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, team_id: { type: 'string' }, ...timestamps },
};
const siteSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'runtime', 'team_id', 'project_id', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    runtime: { enum: ['static', 'node', 'wordpress'] },
    team_id: { type: 'string' },
    project_id: { type: 'string' },
    ...timestamps,
  },
};

/** Names are unique among live siblings; the unique index is the arbiter, so races cannot slip through. */
function nameTaken(kind: string, name: string): ApiError {
  return conflict('name_taken', `A ${kind} named "${name}" already exists here; pick another name.`);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function uniquely<T>(kind: string, name: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(kind, name);
    throw error;
  }
}

export const treeRoutes = [
  // ---- teams ----
  defineRoute<undefined>({
    method: 'get',
    path: '/v1/teams',
    scope: 'teams:read',
    summary: 'List the teams the caller can see',
    tags: ['teams'],
    querySchema: listQuerySchema,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(teamSchema) } },
    handler: ({ caller, query, services }) => {
      const reach = reachOf(caller!);
      const limit = pageLimit(query);
      const only = listableTeamIds(reach, caller!.constraint);
      const rows = services.tree.listTeams(
        caller!.accountId,
        { limit, ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor as string) } : {}) },
        only,
      );
      const page = pageOf(rows, limit, (team) => team);
      return {
        status: 200,
        body: {
          items: page.items.filter((t) => isVisible(reach, caller!.constraint, { accountId: t.accountId, teamId: t.id })).map(renderTeam),
          next_cursor: page.next_cursor,
        },
      };
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
    handler: ({ caller, body, services, now }) => {
      const id = newId('team');
      uniquely('team', body.name, () => services.tree.insertTeam({ id, accountId: caller!.accountId, name: body.name, now: now.getTime() }));
      return { status: 201, body: renderTeam(services.tree.findTeam(id)!), headers: { Location: `/v1/teams/${id}` } };
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
    handler: ({ target, body, services, now }) => {
      uniquely('team', body.name, () => services.tree.renameTeam(target.id, body.name, now.getTime()));
      return { status: 200, body: renderTeam(services.tree.findTeam(target.id)!) };
    },
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
    handler: ({ target, services, now }) => {
      const projects = services.tree.countLiveProjects(target.id);
      if (projects > 0) throw conflict('team_not_empty', `The team still has ${projects} project(s); delete them first.`);
      services.tree.deleteTeam(target.id, now.getTime());
      return { status: 204 };
    },
  }),

  // ---- projects ----
  defineRoute<undefined, Team>({
    method: 'get',
    path: '/v1/teams/{id}/projects',
    scope: 'projects:read',
    summary: "List a team's projects the caller can see",
    tags: ['projects'],
    querySchema: listQuerySchema,
    resolveTarget: resolveTeam,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(projectSchema) } },
    handler: ({ caller, target, query, services }) => {
      const reach = reachOf(caller!);
      const limit = pageLimit(query);
      const constraint = caller!.constraint;
      const rows = services.tree.listProjects(
        target.id,
        { limit, ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor as string) } : {}) },
        constraint && 'project_id' in constraint ? constraint.project_id : undefined,
      );
      const page = pageOf(rows, limit, (p) => p);
      return {
        status: 200,
        body: {
          items: page.items
            .filter((p) => isVisible(reach, constraint, { accountId: p.accountId, teamId: p.teamId, projectId: p.id }))
            .map(renderProject),
          next_cursor: page.next_cursor,
        },
      };
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
    handler: ({ target, body, services, now }) => {
      const id = newId('project');
      uniquely('project', body.name, () =>
        services.tree.insertProject({ id, accountId: target.accountId, teamId: target.id, name: body.name, now: now.getTime() }),
      );
      return { status: 201, body: renderProject(services.tree.findProject(id)!), headers: { Location: `/v1/projects/${id}` } };
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
    handler: ({ target, body, services, now }) => {
      uniquely('project', body.name, () => services.tree.renameProject(target.id, body.name, now.getTime()));
      return { status: 200, body: renderProject(services.tree.findProject(target.id)!) };
    },
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
    handler: ({ target, services, now }) => {
      const sites = services.tree.countLiveSites(target.id);
      if (sites > 0) throw conflict('project_not_empty', `The project still has ${sites} site(s); delete them first.`);
      services.tree.deleteProject(target.id, now.getTime());
      return { status: 204 };
    },
  }),

  // ---- sites ----
  defineRoute<undefined, Project>({
    method: 'get',
    path: '/v1/projects/{id}/sites',
    scope: 'sites:read',
    summary: "List a project's sites the caller can see",
    tags: ['sites'],
    querySchema: listQuerySchema,
    resolveTarget: resolveProject,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(siteSchema) } },
    handler: ({ caller, target, query, services }) => {
      const reach = reachOf(caller!);
      const limit = pageLimit(query);
      const constraint = caller!.constraint;
      const rows = services.tree.listSites(
        target.id,
        { limit, ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor as string) } : {}) },
        constraint && 'site_id' in constraint ? constraint.site_id : undefined,
      );
      const page = pageOf(rows, limit, (s) => s);
      return {
        status: 200,
        body: { items: page.items.filter((s) => isVisible(reach, constraint, siteAncestry(s))).map(renderSite), next_cursor: page.next_cursor },
      };
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
    handler: ({ target, body, services, now }) => {
      const runtime = body.runtime ?? (body.wp_plugins ? 'wordpress' : 'static');
      if (body.wp_plugins && runtime !== 'wordpress') {
        throw new ApiError({
          code: 'validation_failed',
          detail: '/wp_plugins: only a site with runtime "wordpress" has WordPress plugins',
          errors: [{ pointer: '/wp_plugins', detail: 'only a site with runtime "wordpress" has WordPress plugins' }],
        });
      }
      const slugs = (body.wp_plugins ?? []).map((p) => p.slug);
      const duplicate = slugs.find((slug, index) => slugs.indexOf(slug) !== index);
      if (duplicate !== undefined) {
        throw new ApiError({
          code: 'validation_failed',
          detail: `/wp_plugins: plugin "${duplicate}" is listed twice`,
          errors: [{ pointer: `/wp_plugins/${slugs.lastIndexOf(duplicate)}/slug`, detail: `plugin "${duplicate}" is listed twice` }],
        });
      }
      const id = newId('site');
      const at = now.getTime();
      uniquely('site', body.name, () =>
        services.db.transaction(() => {
          services.tree.insertSite({ id, accountId: target.accountId, teamId: target.teamId, projectId: target.id, name: body.name, runtime, now: at });
          services.siteResources.insertPlugins(id, (body.wp_plugins ?? []).map((p) => ({ slug: p.slug, version: p.version, active: p.active ?? true })));
          services.siteResources.logEvent(id, at, 'info', `site created (runtime ${runtime})`);
        })(),
      );
      return { status: 201, body: renderSite(services.tree.findSite(id)!), headers: { Location: `/v1/sites/${id}` } };
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
    summary: "Rename a site or change its runtime",
    tags: ['sites'],
    bodySchema: siteUpdateSchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: 'The site', schema: siteSchema } },
    handler: ({ target, body, services, now }) => {
      uniquely('site', body.name ?? target.name, () => services.tree.updateSite(target.id, body, now.getTime()));
      services.siteResources.logEvent(target.id, now.getTime(), 'info', `site updated (${Object.keys(body).sort().join(', ')})`);
      return { status: 200, body: renderSite(services.tree.findSite(target.id)!) };
    },
  }),
  defineRoute<undefined, Site>({
    method: 'delete',
    path: '/v1/sites/{id}',
    scope: 'sites:write',
    summary: 'Delete a site (its deploys, domains, env, backups and credentials go with it)',
    tags: ['sites'],
    resolveTarget: resolveSite,
    responses: { 204: { description: 'Deleted' } },
    handler: ({ target, services, now }) => {
      services.tree.deleteSite(target.id, now.getTime());
      return { status: 204 };
    },
  }),
];
