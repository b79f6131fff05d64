/**
 * Who can see which part of the resource tree (docs/guides/api.md#domain, docs/guides/api.md#keys, docs/guides/api.md#authorization-one-decision). Pure.
 *
 * The tree is account → team → project → site. Two independent limits narrow what a request sees:
 *
 * - the principal's reach: `owner` and `admin` reach every team of their account, `member` and
 *   `viewer` only the teams they belong to (the account root itself is reachable by everyone in it,
 *   so a member can be told "insufficient_scope" for POST /teams rather than "not found");
 * - the key's constraint: a key constrained to a team, project or site reaches only that subtree.
 *   Ancestors are outside it too (a site-constrained key cannot read its project), which keeps the
 *   rule one line long and means a narrow key learns nothing about the tree around it.
 *
 * Anything of another account is never visible. Whatever the cause, an invisible target is answered
 * exactly like a missing one (404), so the reason computed here is only for the audit log.
 */
import { Role, type KeyConstraint } from '@managed-dev/contract';

/** Where a target sits in the tree. Deeper ids are set only when the target is at or below them. */
export interface TargetAncestry {
  readonly accountId: string;
  readonly teamId?: string | null;
  readonly projectId?: string | null;
  readonly siteId?: string | null;
}

export type { KeyConstraint };

export interface PrincipalReach {
  readonly accountId: string;
  readonly role: Role;
  /** Teams the principal belongs to; only consulted for `member` and `viewer`. */
  readonly teamIds: ReadonlySet<string> | readonly string[];
}

export type VisibilityVerdict =
  { readonly visible: true } | { readonly visible: false; readonly reason: 'other_account' | 'outside_reach' | 'outside_constraint' };

const VISIBLE: VisibilityVerdict = Object.freeze({ visible: true });

export function reachesEveryTeam(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

function belongsToTeam(teamIds: PrincipalReach['teamIds'], teamId: string): boolean {
  return teamIds instanceof Set ? teamIds.has(teamId) : (teamIds as readonly string[]).includes(teamId);
}

/** True when the target lies in the subtree the constraint names (the constrained node included). */
export function constraintCovers(constraint: KeyConstraint | null | undefined, target: TargetAncestry): boolean {
  if (!constraint) return true;
  if ('site_id' in constraint) return target.siteId === constraint.site_id;
  if ('project_id' in constraint) return target.projectId === constraint.project_id;
  return target.teamId === constraint.team_id;
}

export function visibility(principal: PrincipalReach, constraint: KeyConstraint | null | undefined, target: TargetAncestry): VisibilityVerdict {
  if (target.accountId !== principal.accountId) return { visible: false, reason: 'other_account' };
  const teamId = target.teamId ?? null;
  if (teamId !== null && !reachesEveryTeam(principal.role) && !belongsToTeam(principal.teamIds, teamId)) {
    return { visible: false, reason: 'outside_reach' };
  }
  if (!constraintCovers(constraint, target)) return { visible: false, reason: 'outside_constraint' };
  return VISIBLE;
}

export function isVisible(principal: PrincipalReach, constraint: KeyConstraint | null | undefined, target: TargetAncestry): boolean {
  return visibility(principal, constraint, target).visible;
}

/** The constraint as the tree node it names, with the ancestry of that node. */
export function constraintNode(constraint: KeyConstraint): { kind: 'team' | 'project' | 'site'; id: string } {
  if ('site_id' in constraint) return { kind: 'site', id: constraint.site_id };
  if ('project_id' in constraint) return { kind: 'project', id: constraint.project_id };
  return { kind: 'team', id: constraint.team_id };
}

/**
 * The teams a team list may show, so the query can be narrowed in SQL: `undefined` means every
 * team of the account. Rows are still passed through `isVisible`; this only saves reading rows
 * that would be dropped.
 */
export function listableTeamIds(principal: PrincipalReach, constraint: KeyConstraint | null | undefined): readonly string[] | undefined {
  const reach = reachesEveryTeam(principal.role) ? undefined : [...principal.teamIds];
  if (!constraint) return reach;
  // Ancestors are outside a project or site constraint, so such a key lists no team at all.
  if (!('team_id' in constraint)) return [];
  return reach === undefined || reach.includes(constraint.team_id) ? [constraint.team_id] : [];
}
