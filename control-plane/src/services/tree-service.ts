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
import type { SqlDatabase } from '../storage/sql-database';
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
    private readonly db: SqlDatabase,
    private readonly tree: TreeRepository,
    private readonly siteResources: SiteResourceRepository,
  ) {}

  /**
   * Names are unique among live siblings; the unique index is the arbiter, so races cannot slip
   * through. The write runs in its own savepoint: a violation undoes only it (PostgreSQL would
   * otherwise abort the whole transaction), and the caller answers 409.
   */
  private async uniquely(kind: string, name: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await this.db.transaction(write);
    } catch (error) {
      if (this.db.isUniqueViolation(error)) throw conflict('name_taken', `A ${kind} named "${name}" already exists here; pick another name.`);
      throw error;
    }
  }

  async listTeams(caller: Caller, page: PageRequest): Promise<VisiblePage<Team>> {
    const reach = reachOf(caller);
    const rows = await this.tree.listTeams(caller.accountId, { limit: page.limit, ...afterOf(page) }, listableTeamIds(reach, caller.constraint));
    return visiblePage(rows, page.limit, (team) => isVisible(reach, caller.constraint, { accountId: team.accountId, teamId: team.id }));
  }

  async createTeam(caller: Caller, name: string, now: Date): Promise<Team> {
    const id = newId('team');
    await this.uniquely('team', name, () => this.tree.insertTeam({ id, accountId: caller.accountId, name, now: now.getTime() }));
    return (await this.tree.findTeam(id))!;
  }

  async renameTeam(team: Team, name: string, now: Date): Promise<Team> {
    await this.uniquely('team', name, () => this.tree.renameTeam(team.id, name, now.getTime()));
    return (await this.tree.findTeam(team.id))!;
  }

  async deleteTeam(team: Team, now: Date): Promise<void> {
    const projects = await this.tree.countLiveProjects(team.id);
    if (projects > 0) throw conflict('team_not_empty', `The team still has ${projects} project(s); delete them first.`);
    await this.tree.deleteTeam(team.id, now.getTime());
  }

  async listProjects(caller: Caller, team: Team, page: PageRequest): Promise<VisiblePage<Project>> {
    const reach = reachOf(caller);
    const { constraint } = caller;
    const only = constraint && 'project_id' in constraint ? constraint.project_id : undefined;
    const rows = await this.tree.listProjects(team.id, { limit: page.limit, ...afterOf(page) }, only);
    return visiblePage(rows, page.limit, (p) => isVisible(reach, constraint, { accountId: p.accountId, teamId: p.teamId, projectId: p.id }));
  }

  async createProject(team: Team, name: string, now: Date): Promise<Project> {
    const id = newId('project');
    await this.uniquely('project', name, () => this.tree.insertProject({ id, accountId: team.accountId, teamId: team.id, name, now: now.getTime() }));
    return (await this.tree.findProject(id))!;
  }

  async renameProject(project: Project, name: string, now: Date): Promise<Project> {
    await this.uniquely('project', name, () => this.tree.renameProject(project.id, name, now.getTime()));
    return (await this.tree.findProject(project.id))!;
  }

  async deleteProject(project: Project, now: Date): Promise<void> {
    const sites = await this.tree.countLiveSites(project.id);
    if (sites > 0) throw conflict('project_not_empty', `The project still has ${sites} site(s); delete them first.`);
    await this.tree.deleteProject(project.id, now.getTime());
  }

  async listSites(caller: Caller, project: Project, page: PageRequest): Promise<VisiblePage<Site>> {
    const reach = reachOf(caller);
    const { constraint } = caller;
    const only = constraint && 'site_id' in constraint ? constraint.site_id : undefined;
    const rows = await this.tree.listSites(project.id, { limit: page.limit, ...afterOf(page) }, only);
    return visiblePage(rows, page.limit, (site) => isVisible(reach, constraint, siteAncestry(site)));
  }

  async createSite(project: Project, body: SiteCreate, now: Date): Promise<Site> {
    const { runtime } = checkSiteCreate(body);
    const id = newId('site');
    const at = now.getTime();
    await this.uniquely('site', body.name, async () => {
      await this.tree.insertSite({ id, accountId: project.accountId, teamId: project.teamId, projectId: project.id, name: body.name, runtime, now: at });
      await this.siteResources.insertPlugins(
        id,
        (body.wp_plugins ?? []).map((plugin) => ({ slug: plugin.slug, version: plugin.version, active: plugin.active ?? true })),
      );
      await this.siteResources.logEvent(id, at, 'info', `site created (runtime ${runtime})`);
    });
    return (await this.tree.findSite(id))!;
  }

  async updateSite(site: Site, body: SiteUpdate, now: Date): Promise<Site> {
    await this.uniquely('site', body.name ?? site.name, () => this.tree.updateSite(site.id, body, now.getTime()));
    await this.siteResources.logEvent(site.id, now.getTime(), 'info', `site updated (${Object.keys(body).sort().join(', ')})`);
    return (await this.tree.findSite(site.id))!;
  }

  async deleteSite(site: Site, now: Date): Promise<void> {
    await this.tree.deleteSite(site.id, now.getTime());
  }
}
