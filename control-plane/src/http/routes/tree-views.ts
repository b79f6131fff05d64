/** How teams, projects and sites look on the wire, and their schemas for the OpenAPI document. */
import type { Project, Site, Team } from '../../storage/tree-repository';
import { frozenJsonBody } from '../fast-path';
import type { JsonSchema } from '../route-definition';
import { iso } from './resource-targets';

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
export function renderCachedSite(site: Site): ReturnType<typeof renderSite> {
  let rendered = renderedSites.get(site);
  if (!rendered) {
    rendered = frozenJsonBody(renderSite(site));
    renderedSites.set(site, rendered);
  }
  return rendered;
}

const timestamps = { created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' } };
export const teamSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'created_at', 'updated_at'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, ...timestamps },
};
export const projectSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'team_id', 'created_at', 'updated_at'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, team_id: { type: 'string' }, ...timestamps },
};
export const siteSchema: JsonSchema = {
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
