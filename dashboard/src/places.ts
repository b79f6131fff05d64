/**
 * The places a new key can be constrained to: the teams, projects and sites the signed-in key can
 * see, read through the /v1 API. A constrained key sees only its subtree (and lists no teams), so
 * the walk starts where its constraint sits.
 */
import { ApiProblem, getOne, listAll, type KeyConstraint, type Named } from './api';

export type PlaceKind = 'team' | 'project' | 'site';

export interface Place {
  readonly kind: PlaceKind;
  readonly id: string;
  readonly name: string;
  /** Where it sits, for the option's description ("acme / web"). */
  readonly parent?: string;
}

async function orNothing<T>(load: () => Promise<T[]>): Promise<T[]> {
  try {
    return await load();
  } catch (error) {
    // A key without teams:read/projects:read/sites:read simply has fewer places to offer.
    if (error instanceof ApiProblem && (error.problem.status === 403 || error.problem.status === 404)) return [];
    throw error;
  }
}

async function sitesOf(project: Named, parent: string): Promise<Place[]> {
  const sites = await orNothing(() => listAll<Named>(`/v1/projects/${project.id}/sites`));
  return sites.map((site) => ({ kind: 'site', id: site.id, name: site.name, parent: `${parent} / ${project.name}` }));
}

async function projectsOf(team: Named): Promise<Place[]> {
  const projects = await orNothing(() => listAll<Named>(`/v1/teams/${team.id}/projects`));
  const places: Place[] = projects.map((project) => ({ kind: 'project', id: project.id, name: project.name, parent: team.name }));
  for (const project of projects) places.push(...(await sitesOf(project, team.name)));
  return places;
}

export async function visiblePlaces(constraint: KeyConstraint | null): Promise<Place[]> {
  if (constraint && 'site_id' in constraint) {
    const site = await getOne<Named>(`/v1/sites/${constraint.site_id}`);
    return [{ kind: 'site', id: site.id, name: site.name }];
  }
  if (constraint && 'project_id' in constraint) {
    const project = await getOne<Named>(`/v1/projects/${constraint.project_id}`);
    return [{ kind: 'project', id: project.id, name: project.name }, ...(await sitesOf(project, ''))];
  }
  const teams = constraint ? [await getOne<Named>(`/v1/teams/${constraint.team_id}`)] : await orNothing(() => listAll<Named>('/v1/teams'));
  const places: Place[] = teams.map((team) => ({ kind: 'team', id: team.id, name: team.name }));
  for (const team of teams) places.push(...(await projectsOf(team)));
  return places;
}

export function constraintOf(place: Place): KeyConstraint {
  switch (place.kind) {
    case 'team':
      return { team_id: place.id };
    case 'project':
      return { project_id: place.id };
    case 'site':
      return { site_id: place.id };
  }
}

export function placeIdOf(constraint: KeyConstraint | null): string | undefined {
  if (!constraint) return undefined;
  if ('team_id' in constraint) return constraint.team_id;
  if ('project_id' in constraint) return constraint.project_id;
  return constraint.site_id;
}
