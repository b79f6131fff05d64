/**
 * Teams, projects, sites and team membership (docs/guides/api.md#domain). Every lookup a request's authorization
 * needs is one statement on a primary key (prepared once per connection), because it runs on every request.
 * Soft-deleted nodes are invisible to the API but still resolvable as ancestry (`*Ancestry`
 * with `includeDeleted`), so a key constrained to a deleted site still has a place in the tree.
 */
import type { PagePosition } from '../domain/page-cursor';
import type { TargetAncestry } from '../domain/visibility';
import type { SqlDatabase } from './sql-database';
import { StampedCache, stampOf } from './change-stamp';

export interface Team {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Project extends Team {
  readonly teamId: string;
}

export interface Site extends Project {
  readonly projectId: string;
  readonly runtime: string;
}

interface TeamRow {
  id: string;
  account_id: string;
  name: string;
  created_at: number;
  updated_at: number;
}
interface ProjectRow extends TeamRow {
  team_id: string;
}
interface SiteRow extends ProjectRow {
  project_id: string;
  runtime: string;
}

// Written out field by field (no spreads): these run for every row a request reads.
const toTeam = (r: TeamRow): Team => ({ id: r.id, accountId: r.account_id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at });
const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  accountId: r.account_id,
  teamId: r.team_id,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toSite = (r: SiteRow): Site => ({
  id: r.id,
  accountId: r.account_id,
  teamId: r.team_id,
  projectId: r.project_id,
  name: r.name,
  runtime: r.runtime,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Which slice of a list a caller may see (member reach, key constraint). */
export interface ListFilter {
  readonly limit: number;
  readonly after?: PagePosition;
}

const AFTER = '(created_at > @after_created_at OR (created_at = @after_created_at AND id > @after_id))';

function pageParams(filter: ListFilter): { limit: number; after_created_at: number; after_id: string } {
  return {
    limit: filter.limit + 1,
    after_created_at: filter.after?.createdAt ?? -1,
    after_id: filter.after?.id ?? '',
  };
}

const SQL = {
  teamById: 'SELECT id, account_id, name, created_at, updated_at FROM teams WHERE id = ? AND deleted_at IS NULL',
  projectById: 'SELECT id, account_id, team_id, name, created_at, updated_at FROM projects WHERE id = ? AND deleted_at IS NULL',
  siteById: 'SELECT id, account_id, team_id, project_id, name, runtime, created_at, updated_at FROM sites WHERE id = ? AND deleted_at IS NULL',
  teamAncestryAny: 'SELECT account_id FROM teams WHERE id = ?',
  projectAncestryAny: 'SELECT account_id, team_id FROM projects WHERE id = ?',
  siteAncestryAny: 'SELECT account_id, team_id, project_id FROM sites WHERE id = ?',
  insertTeam: 'INSERT INTO teams (id, account_id, name, created_at, updated_at) VALUES (@id, @account_id, @name, @now, @now)',
  insertProject: 'INSERT INTO projects (id, account_id, team_id, name, created_at, updated_at) VALUES (@id, @account_id, @team_id, @name, @now, @now)',
  insertSite: `INSERT INTO sites (id, account_id, team_id, project_id, name, runtime, created_at, updated_at)
    VALUES (@id, @account_id, @team_id, @project_id, @name, @runtime, @now, @now)`,
  renameTeam: 'UPDATE teams SET name = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL',
  renameProject: 'UPDATE projects SET name = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL',
  updateSite: 'UPDATE sites SET name = coalesce(@name, name), runtime = coalesce(@runtime, runtime), updated_at = @now WHERE id = @id AND deleted_at IS NULL',
  deleteTeam: 'UPDATE teams SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL',
  deleteProject: 'UPDATE projects SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL',
  deleteSite: 'UPDATE sites SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL',
  liveProjectsOfTeam: 'SELECT count(*) AS n FROM projects WHERE team_id = ? AND deleted_at IS NULL',
  liveSitesOfProject: 'SELECT count(*) AS n FROM sites WHERE project_id = ? AND deleted_at IS NULL',
  teamsOfPrincipal: 'SELECT m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.principal_id = ? AND t.deleted_at IS NULL',
  addMember: 'INSERT INTO team_members (team_id, principal_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  removeMember: 'DELETE FROM team_members WHERE team_id = ? AND principal_id = ?',
  removeAllMemberships: 'DELETE FROM team_members WHERE principal_id = ?',
  isMember: 'SELECT 1 AS one FROM team_members WHERE team_id = ? AND principal_id = ?',
} as const;

export class TreeRepository {
  /**
   * Sites are read on nearly every request (their ancestry feeds the decision) and change rarely.
   * The cache holds the finished, frozen Site, so until the next write every read of a site hands
   * out the same object: nothing is converted or allocated, and per-object memos downstream (the
   * resolved target, the rendered body) stay valid exactly as long as the cache entry.
   */
  private readonly siteCache: StampedCache<Site | undefined>;

  constructor(private readonly db: SqlDatabase) {
    this.siteCache = new StampedCache(stampOf(db), async (id) => {
      const row = await db.get<SiteRow>(SQL.siteById, [id]);
      return row ? Object.freeze(toSite(row)) : undefined;
    });
  }

  // ---- lookups (one row by primary key) ----

  async findTeam(id: string): Promise<Team | undefined> {
    const row = await this.db.get<TeamRow>(SQL.teamById, [id]);
    return row ? toTeam(row) : undefined;
  }

  async findProject(id: string): Promise<Project | undefined> {
    const row = await this.db.get<ProjectRow>(SQL.projectById, [id]);
    return row ? toProject(row) : undefined;
  }

  /** A live site; the same frozen object for every call until the database changes. */
  findSite(id: string): Promise<Site | undefined> {
    return this.siteCache.get(id);
  }

  /** Where a node sits, deleted or not; undefined when the id was never a node of that kind. */
  async ancestryOf(kind: 'team' | 'project' | 'site', id: string): Promise<TargetAncestry | undefined> {
    if (kind === 'team') {
      const row = await this.db.get<{ account_id: string }>(SQL.teamAncestryAny, [id]);
      return row ? { accountId: row.account_id, teamId: id } : undefined;
    }
    if (kind === 'project') {
      const row = await this.db.get<{ account_id: string; team_id: string }>(SQL.projectAncestryAny, [id]);
      return row ? { accountId: row.account_id, teamId: row.team_id, projectId: id } : undefined;
    }
    const row = await this.db.get<{ account_id: string; team_id: string; project_id: string }>(SQL.siteAncestryAny, [id]);
    return row ? { accountId: row.account_id, teamId: row.team_id, projectId: row.project_id, siteId: id } : undefined;
  }

  /** Where a live node sits; undefined when it does not exist or was deleted. */
  async liveAncestryOf(kind: 'team' | 'project' | 'site', id: string): Promise<TargetAncestry | undefined> {
    if (kind === 'team') {
      const team = await this.findTeam(id);
      return team ? { accountId: team.accountId, teamId: team.id } : undefined;
    }
    if (kind === 'project') {
      const project = await this.findProject(id);
      return project ? { accountId: project.accountId, teamId: project.teamId, projectId: project.id } : undefined;
    }
    const site = await this.findSite(id);
    return site ? siteAncestry(site) : undefined;
  }

  // ---- lists (limit + 1 rows so the caller knows whether there is a next page) ----

  /**
   * Teams of an account. `onlyTeamIds` narrows to the teams a member belongs to or a team-level
   * constraint names; an empty array means "none".
   */
  async listTeams(accountId: string, filter: ListFilter, onlyTeamIds?: readonly string[]): Promise<Team[]> {
    if (onlyTeamIds && onlyTeamIds.length === 0) return [];
    const params: Record<string, string | number> = { account_id: accountId, ...pageParams(filter) };
    // One named parameter per id: portable, unlike SQLite's json_each or PostgreSQL's ANY(array).
    let only = '';
    if (onlyTeamIds) {
      only = ` AND id IN (${onlyTeamIds.map((_, i) => `@only_${i}`).join(', ')})`;
      onlyTeamIds.forEach((id, i) => (params[`only_${i}`] = id));
    }
    const rows = await this.db.all<TeamRow>(
      `SELECT id, account_id, name, created_at, updated_at FROM teams
       WHERE account_id = @account_id AND deleted_at IS NULL AND ${AFTER}${only}
       ORDER BY created_at, id LIMIT @limit`,
      params,
    );
    return rows.map(toTeam);
  }

  /** Projects of a team; `onlyProjectId` narrows to the project a project-level constraint names. */
  async listProjects(teamId: string, filter: ListFilter, onlyProjectId?: string): Promise<Project[]> {
    const rows = await this.db.all<ProjectRow>(
      `SELECT id, account_id, team_id, name, created_at, updated_at FROM projects
       WHERE team_id = @team_id AND deleted_at IS NULL AND ${AFTER}${onlyProjectId ? ' AND id = @only' : ''}
       ORDER BY created_at, id LIMIT @limit`,
      { team_id: teamId, ...pageParams(filter), ...(onlyProjectId ? { only: onlyProjectId } : {}) },
    );
    return rows.map(toProject);
  }

  /** Sites of a project; `onlySiteId` narrows to the site a site-level constraint names. */
  async listSites(projectId: string, filter: ListFilter, onlySiteId?: string): Promise<Site[]> {
    const rows = await this.db.all<SiteRow>(
      `SELECT id, account_id, team_id, project_id, name, runtime, created_at, updated_at FROM sites
       WHERE project_id = @project_id AND deleted_at IS NULL AND ${AFTER}${onlySiteId ? ' AND id = @only' : ''}
       ORDER BY created_at, id LIMIT @limit`,
      { project_id: projectId, ...pageParams(filter), ...(onlySiteId ? { only: onlySiteId } : {}) },
    );
    return rows.map(toSite);
  }

  // ---- writes ----

  async insertTeam(team: { id: string; accountId: string; name: string; now: number }): Promise<void> {
    await this.db.run(SQL.insertTeam, { id: team.id, account_id: team.accountId, name: team.name, now: team.now });
  }

  async insertProject(project: { id: string; accountId: string; teamId: string; name: string; now: number }): Promise<void> {
    await this.db.run(SQL.insertProject, { id: project.id, account_id: project.accountId, team_id: project.teamId, name: project.name, now: project.now });
  }

  async insertSite(site: { id: string; accountId: string; teamId: string; projectId: string; name: string; runtime: string; now: number }): Promise<void> {
    await this.db.run(SQL.insertSite, {
      id: site.id,
      account_id: site.accountId,
      team_id: site.teamId,
      project_id: site.projectId,
      name: site.name,
      runtime: site.runtime,
      now: site.now,
    });
  }

  async renameTeam(id: string, name: string, now: number): Promise<void> {
    await this.db.run(SQL.renameTeam, [name, now, id]);
  }

  async renameProject(id: string, name: string, now: number): Promise<void> {
    await this.db.run(SQL.renameProject, [name, now, id]);
  }

  async updateSite(id: string, changes: { name?: string; runtime?: string }, now: number): Promise<void> {
    await this.db.run(SQL.updateSite, { id, name: changes.name ?? null, runtime: changes.runtime ?? null, now });
  }

  async countLiveProjects(teamId: string): Promise<number> {
    return Number((await this.db.get<{ n: number }>(SQL.liveProjectsOfTeam, [teamId]))!.n);
  }

  async countLiveSites(projectId: string): Promise<number> {
    return Number((await this.db.get<{ n: number }>(SQL.liveSitesOfProject, [projectId]))!.n);
  }

  async deleteTeam(id: string, now: number): Promise<void> {
    await this.db.run(SQL.deleteTeam, [now, id]);
  }

  async deleteProject(id: string, now: number): Promise<void> {
    await this.db.run(SQL.deleteProject, [now, id]);
  }

  async deleteSite(id: string, now: number): Promise<void> {
    await this.db.run(SQL.deleteSite, [now, id]);
  }

  // ---- membership ----

  async teamIdsOf(principalId: string): Promise<string[]> {
    return (await this.db.all<{ team_id: string }>(SQL.teamsOfPrincipal, [principalId])).map((r) => r.team_id);
  }

  async isMember(teamId: string, principalId: string): Promise<boolean> {
    return (await this.db.get(SQL.isMember, [teamId, principalId])) !== undefined;
  }

  /** Returns true when the membership is new. */
  async addMember(teamId: string, principalId: string, now: number): Promise<boolean> {
    return (await this.db.run(SQL.addMember, [teamId, principalId, now])).changes === 1;
  }

  /** Returns true when a membership was removed. */
  async removeMember(teamId: string, principalId: string): Promise<boolean> {
    return (await this.db.run(SQL.removeMember, [teamId, principalId])).changes === 1;
  }

  async removeAllMemberships(principalId: string): Promise<void> {
    await this.db.run(SQL.removeAllMemberships, [principalId]);
  }
}

export function siteAncestry(site: Site): TargetAncestry {
  return { accountId: site.accountId, teamId: site.teamId, projectId: site.projectId, siteId: site.id };
}
