/**
 * Teams, projects, sites and team membership (docs/guides/api.md#domain). Every lookup a request's authorization
 * needs is one prepared statement on a primary key, because it runs on every request.
 * Soft-deleted nodes are invisible to the API but still resolvable as ancestry (`*Ancestry`
 * with `includeDeleted`), so a key constrained to a deleted site still has a place in the tree.
 */
import type { PagePosition } from '../domain/page-cursor';
import type { TargetAncestry } from '../domain/visibility';
import type { Db } from './database';
import { StampedCache, changeStamp } from './change-stamp';

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

function pageParams(filter: ListFilter): Record<string, unknown> {
  return {
    limit: filter.limit + 1,
    after_created_at: filter.after?.createdAt ?? -1,
    after_id: filter.after?.id ?? '',
  };
}

export class TreeRepository {
  private readonly statements;
  /**
   * Sites are read on nearly every request (their ancestry feeds the decision) and change rarely.
   * The cache holds the finished, frozen Site, so until the next write every read of a site hands
   * out the same object: nothing is converted or allocated, and per-object memos downstream (the
   * resolved target, the rendered body) stay valid exactly as long as the cache entry.
   */
  private readonly siteCache: StampedCache<Site | undefined>;

  constructor(private readonly db: Db) {
    this.siteCache = new StampedCache(changeStamp(db), (id) => {
      const row = this.statements.siteById.get(id);
      return row ? Object.freeze(toSite(row)) : undefined;
    });
    this.statements = {
      teamById: db.prepare<[string], TeamRow>('SELECT id, account_id, name, created_at, updated_at FROM teams WHERE id = ? AND deleted_at IS NULL'),
      projectById: db.prepare<[string], ProjectRow>(
        'SELECT id, account_id, team_id, name, created_at, updated_at FROM projects WHERE id = ? AND deleted_at IS NULL',
      ),
      siteById: db.prepare<[string], SiteRow>(
        'SELECT id, account_id, team_id, project_id, name, runtime, created_at, updated_at FROM sites WHERE id = ? AND deleted_at IS NULL',
      ),
      teamAncestryAny: db.prepare<[string], { account_id: string }>('SELECT account_id FROM teams WHERE id = ?'),
      projectAncestryAny: db.prepare<[string], { account_id: string; team_id: string }>('SELECT account_id, team_id FROM projects WHERE id = ?'),
      siteAncestryAny: db.prepare<[string], { account_id: string; team_id: string; project_id: string }>(
        'SELECT account_id, team_id, project_id FROM sites WHERE id = ?',
      ),
      insertTeam: db.prepare('INSERT INTO teams (id, account_id, name, created_at, updated_at) VALUES (@id, @account_id, @name, @now, @now)'),
      insertProject: db.prepare(
        'INSERT INTO projects (id, account_id, team_id, name, created_at, updated_at) VALUES (@id, @account_id, @team_id, @name, @now, @now)',
      ),
      insertSite: db.prepare(
        `INSERT INTO sites (id, account_id, team_id, project_id, name, runtime, created_at, updated_at)
         VALUES (@id, @account_id, @team_id, @project_id, @name, @runtime, @now, @now)`,
      ),
      renameTeam: db.prepare('UPDATE teams SET name = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL'),
      renameProject: db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL'),
      updateSite: db.prepare(
        'UPDATE sites SET name = coalesce(@name, name), runtime = coalesce(@runtime, runtime), updated_at = @now WHERE id = @id AND deleted_at IS NULL',
      ),
      deleteTeam: db.prepare('UPDATE teams SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      deleteProject: db.prepare('UPDATE projects SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      deleteSite: db.prepare('UPDATE sites SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      liveProjectsOfTeam: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM projects WHERE team_id = ? AND deleted_at IS NULL'),
      liveSitesOfProject: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM sites WHERE project_id = ? AND deleted_at IS NULL'),
      teamsOfPrincipal: db.prepare<[string], { team_id: string }>(
        'SELECT m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.principal_id = ? AND t.deleted_at IS NULL',
      ),
      addMember: db.prepare('INSERT OR IGNORE INTO team_members (team_id, principal_id, created_at) VALUES (?, ?, ?)'),
      removeMember: db.prepare('DELETE FROM team_members WHERE team_id = ? AND principal_id = ?'),
      removeAllMemberships: db.prepare('DELETE FROM team_members WHERE principal_id = ?'),
      isMember: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM team_members WHERE team_id = ? AND principal_id = ?'),
    };
  }

  // ---- lookups (one row by primary key) ----

  findTeam(id: string): Team | undefined {
    const row = this.statements.teamById.get(id);
    return row ? toTeam(row) : undefined;
  }

  findProject(id: string): Project | undefined {
    const row = this.statements.projectById.get(id);
    return row ? toProject(row) : undefined;
  }

  /** A live site; the same frozen object for every call until the database changes. */
  findSite(id: string): Site | undefined {
    return this.siteCache.get(id);
  }

  /** Where a node sits, deleted or not; undefined when the id was never a node of that kind. */
  ancestryOf(kind: 'team' | 'project' | 'site', id: string): TargetAncestry | undefined {
    if (kind === 'team') {
      const row = this.statements.teamAncestryAny.get(id);
      return row ? { accountId: row.account_id, teamId: id } : undefined;
    }
    if (kind === 'project') {
      const row = this.statements.projectAncestryAny.get(id);
      return row ? { accountId: row.account_id, teamId: row.team_id, projectId: id } : undefined;
    }
    const row = this.statements.siteAncestryAny.get(id);
    return row ? { accountId: row.account_id, teamId: row.team_id, projectId: row.project_id, siteId: id } : undefined;
  }

  /** Where a live node sits; undefined when it does not exist or was deleted. */
  liveAncestryOf(kind: 'team' | 'project' | 'site', id: string): TargetAncestry | undefined {
    if (kind === 'team') {
      const team = this.findTeam(id);
      return team ? { accountId: team.accountId, teamId: team.id } : undefined;
    }
    if (kind === 'project') {
      const project = this.findProject(id);
      return project ? { accountId: project.accountId, teamId: project.teamId, projectId: project.id } : undefined;
    }
    const site = this.findSite(id);
    return site ? siteAncestry(site) : undefined;
  }

  // ---- lists (limit + 1 rows so the caller knows whether there is a next page) ----

  /**
   * Teams of an account. `onlyTeamIds` narrows to the teams a member belongs to or a team-level
   * constraint names; an empty array means "none".
   */
  listTeams(accountId: string, filter: ListFilter, onlyTeamIds?: readonly string[]): Team[] {
    if (onlyTeamIds && onlyTeamIds.length === 0) return [];
    const only = onlyTeamIds ? ` AND id IN (SELECT value FROM json_each(@only))` : '';
    return this.db
      .prepare<Record<string, unknown>, TeamRow>(
        `SELECT id, account_id, name, created_at, updated_at FROM teams
         WHERE account_id = @account_id AND deleted_at IS NULL AND ${AFTER}${only}
         ORDER BY created_at, id LIMIT @limit`,
      )
      .all({ account_id: accountId, ...pageParams(filter), ...(onlyTeamIds ? { only: JSON.stringify(onlyTeamIds) } : {}) })
      .map(toTeam);
  }

  /** Projects of a team; `onlyProjectId` narrows to the project a project-level constraint names. */
  listProjects(teamId: string, filter: ListFilter, onlyProjectId?: string): Project[] {
    return this.db
      .prepare<Record<string, unknown>, ProjectRow>(
        `SELECT id, account_id, team_id, name, created_at, updated_at FROM projects
         WHERE team_id = @team_id AND deleted_at IS NULL AND ${AFTER}${onlyProjectId ? ' AND id = @only' : ''}
         ORDER BY created_at, id LIMIT @limit`,
      )
      .all({ team_id: teamId, ...pageParams(filter), ...(onlyProjectId ? { only: onlyProjectId } : {}) })
      .map(toProject);
  }

  /** Sites of a project; `onlySiteId` narrows to the site a site-level constraint names. */
  listSites(projectId: string, filter: ListFilter, onlySiteId?: string): Site[] {
    return this.db
      .prepare<Record<string, unknown>, SiteRow>(
        `SELECT id, account_id, team_id, project_id, name, runtime, created_at, updated_at FROM sites
         WHERE project_id = @project_id AND deleted_at IS NULL AND ${AFTER}${onlySiteId ? ' AND id = @only' : ''}
         ORDER BY created_at, id LIMIT @limit`,
      )
      .all({ project_id: projectId, ...pageParams(filter), ...(onlySiteId ? { only: onlySiteId } : {}) })
      .map(toSite);
  }

  // ---- writes ----

  insertTeam(team: { id: string; accountId: string; name: string; now: number }): void {
    this.statements.insertTeam.run({ id: team.id, account_id: team.accountId, name: team.name, now: team.now });
  }

  insertProject(project: { id: string; accountId: string; teamId: string; name: string; now: number }): void {
    this.statements.insertProject.run({ id: project.id, account_id: project.accountId, team_id: project.teamId, name: project.name, now: project.now });
  }

  insertSite(site: { id: string; accountId: string; teamId: string; projectId: string; name: string; runtime: string; now: number }): void {
    this.statements.insertSite.run({
      id: site.id,
      account_id: site.accountId,
      team_id: site.teamId,
      project_id: site.projectId,
      name: site.name,
      runtime: site.runtime,
      now: site.now,
    });
  }

  renameTeam(id: string, name: string, now: number): void {
    this.statements.renameTeam.run(name, now, id);
  }

  renameProject(id: string, name: string, now: number): void {
    this.statements.renameProject.run(name, now, id);
  }

  updateSite(id: string, changes: { name?: string; runtime?: string }, now: number): void {
    this.statements.updateSite.run({ id, name: changes.name ?? null, runtime: changes.runtime ?? null, now });
  }

  countLiveProjects(teamId: string): number {
    return this.statements.liveProjectsOfTeam.get(teamId)!.n;
  }

  countLiveSites(projectId: string): number {
    return this.statements.liveSitesOfProject.get(projectId)!.n;
  }

  deleteTeam(id: string, now: number): void {
    this.statements.deleteTeam.run(now, id);
  }

  deleteProject(id: string, now: number): void {
    this.statements.deleteProject.run(now, id);
  }

  deleteSite(id: string, now: number): void {
    this.statements.deleteSite.run(now, id);
  }

  // ---- membership ----

  teamIdsOf(principalId: string): string[] {
    return this.statements.teamsOfPrincipal.all(principalId).map((r) => r.team_id);
  }

  isMember(teamId: string, principalId: string): boolean {
    return this.statements.isMember.get(teamId, principalId) !== undefined;
  }

  /** Returns true when the membership is new. */
  addMember(teamId: string, principalId: string, now: number): boolean {
    return this.statements.addMember.run(teamId, principalId, now).changes === 1;
  }

  /** Returns true when a membership was removed. */
  removeMember(teamId: string, principalId: string): boolean {
    return this.statements.removeMember.run(teamId, principalId).changes === 1;
  }

  removeAllMemberships(principalId: string): void {
    this.statements.removeAllMemberships.run(principalId);
  }
}

export function siteAncestry(site: Site): TargetAncestry {
  return { accountId: site.accountId, teamId: site.teamId, projectId: site.projectId, siteId: site.id };
}
