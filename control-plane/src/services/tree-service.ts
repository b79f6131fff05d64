/**
 * The rules of the resource tree (docs/guides/api.md, "Resource tree"): names unique among live
 * siblings, teams and projects deleted only when empty, a site's runtime and WordPress plugins,
 * and lists that show only what the caller can see (the principal's teams, the key's constraint).
 * Routes hand over the caller and the already authorized target; rendering stays in the routes.
 */
import { newId, type SiteCreate, type SiteUpdate } from '@managed-dev/contract';
import { type Caller, reachOf } from '../domain/authorization';
import { conflict, validationFailed } from '../domain/errors';
import { decodeCursor, encodeCursor } from '../domain/page-cursor';
import { isVisible, listableTeamIds } from '../domain/visibility';
import type { Db } from '../storage/database';
import type { SiteResourceRepository } from '../storage/site-resource-repository';
import { type Project, type Site, type Team, type TreeRepository, siteAncestry } from '../storage/tree-repository';

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** One page of rows the caller may see; a page may hold fewer than `limit` (filtered after reading). */
export interface VisiblePage<Row> {
  readonly items: Row[];
  readonly nextCursor: string | null;
}

type SiteRuntime = NonNullable<SiteCreate['runtime']>;

function afterOf(page: PageRequest) {
  return page.cursor !== undefined ? { after: decodeCursor(page.cursor) } : {};
}

/** Reads limit + 1 rows, keeps the first `limit`, then drops what the caller may not see (the cursor stays exact). */
function visiblePage<Row extends { id: string; createdAt: number }>(rows: readonly Row[], limit: number, visible: (row: Row) => boolean): VisiblePage<Row> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.filter(visible),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Names are unique among live siblings; the unique index is the arbiter, so races cannot slip through. */
function uniquely<T>(kind: string, name: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('name_taken', `A ${kind} named "${name}" already exists here; pick another name.`);
    throw error;
  }
}

/** A site's runtime: as given, else "wordpress" when plugins are listed, else "static"; plugins only on WordPress, each once. */
function checkSiteCreate(body: SiteCreate): { runtime: SiteRuntime } {
  const runtime: SiteRuntime = body.runtime ?? (body.wp_plugins ? 'wordpress' : 'static');
  if (body.wp_plugins && runtime !== 'wordpress') {
    throw validationFailed([{ pointer: '/wp_plugins', detail: 'only a site with runtime "wordpress" has WordPress plugins' }]);
  }
  const slugs = (body.wp_plugins ?? []).map((plugin) => plugin.slug);
  const duplicate = slugs.find((slug, index) => slugs.indexOf(slug) !== index);
  if (duplicate !== undefined) {
    throw validationFailed([{ pointer: `/wp_plugins/${slugs.lastIndexOf(duplicate)}/slug`, detail: `plugin "${duplicate}" is listed twice` }]);
  }
  return { runtime };
}

export class TreeService {
  constructor(
    private readonly db: Db,
    private readonly tree: TreeRepository,
    private readonly siteResources: SiteResourceRepository,
  ) {}

  listTeams(caller: Caller, page: PageRequest): VisiblePage<Team> {
    const reach = reachOf(caller);
    const rows = this.tree.listTeams(caller.accountId, { limit: page.limit, ...afterOf(page) }, listableTeamIds(reach, caller.constraint));
    return visiblePage(rows, page.limit, (team) => isVisible(reach, caller.constraint, { accountId: team.accountId, teamId: team.id }));
  }

  createTeam(caller: Caller, name: string, now: Date): Team {
    const id = newId('team');
    uniquely('team', name, () => this.tree.insertTeam({ id, accountId: caller.accountId, name, now: now.getTime() }));
    return this.tree.findTeam(id)!;
  }

  renameTeam(team: Team, name: string, now: Date): Team {
    uniquely('team', name, () => this.tree.renameTeam(team.id, name, now.getTime()));
    return this.tree.findTeam(team.id)!;
  }

  deleteTeam(team: Team, now: Date): void {
    const projects = this.tree.countLiveProjects(team.id);
    if (projects > 0) throw conflict('team_not_empty', `The team still has ${projects} project(s); delete them first.`);
    this.tree.deleteTeam(team.id, now.getTime());
  }

  listProjects(caller: Caller, team: Team, page: PageRequest): VisiblePage<Project> {
    const reach = reachOf(caller);
    const { constraint } = caller;
    const only = constraint && 'project_id' in constraint ? constraint.project_id : undefined;
    const rows = this.tree.listProjects(team.id, { limit: page.limit, ...afterOf(page) }, only);
    return visiblePage(rows, page.limit, (p) => isVisible(reach, constraint, { accountId: p.accountId, teamId: p.teamId, projectId: p.id }));
  }

  createProject(team: Team, name: string, now: Date): Project {
    const id = newId('project');
    uniquely('project', name, () => this.tree.insertProject({ id, accountId: team.accountId, teamId: team.id, name, now: now.getTime() }));
    return this.tree.findProject(id)!;
  }

  renameProject(project: Project, name: string, now: Date): Project {
    uniquely('project', name, () => this.tree.renameProject(project.id, name, now.getTime()));
    return this.tree.findProject(project.id)!;
  }

  deleteProject(project: Project, now: Date): void {
    const sites = this.tree.countLiveSites(project.id);
    if (sites > 0) throw conflict('project_not_empty', `The project still has ${sites} site(s); delete them first.`);
    this.tree.deleteProject(project.id, now.getTime());
  }

  listSites(caller: Caller, project: Project, page: PageRequest): VisiblePage<Site> {
    const reach = reachOf(caller);
    const { constraint } = caller;
    const only = constraint && 'site_id' in constraint ? constraint.site_id : undefined;
    const rows = this.tree.listSites(project.id, { limit: page.limit, ...afterOf(page) }, only);
    return visiblePage(rows, page.limit, (site) => isVisible(reach, constraint, siteAncestry(site)));
  }

  createSite(project: Project, body: SiteCreate, now: Date): Site {
    const { runtime } = checkSiteCreate(body);
    const id = newId('site');
    const at = now.getTime();
    uniquely('site', body.name, () =>
      this.db.transaction(() => {
        this.tree.insertSite({ id, accountId: project.accountId, teamId: project.teamId, projectId: project.id, name: body.name, runtime, now: at });
        this.siteResources.insertPlugins(
          id,
          (body.wp_plugins ?? []).map((plugin) => ({ slug: plugin.slug, version: plugin.version, active: plugin.active ?? true })),
        );
        this.siteResources.logEvent(id, at, 'info', `site created (runtime ${runtime})`);
      })(),
    );
    return this.tree.findSite(id)!;
  }

  updateSite(site: Site, body: SiteUpdate, now: Date): Site {
    uniquely('site', body.name ?? site.name, () => this.tree.updateSite(site.id, body, now.getTime()));
    this.siteResources.logEvent(site.id, now.getTime(), 'info', `site updated (${Object.keys(body).sort().join(', ')})`);
    return this.tree.findSite(site.id)!;
  }

  deleteSite(site: Site, now: Date): void {
    this.tree.deleteSite(site.id, now.getTime());
  }
}
