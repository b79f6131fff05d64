import fc from 'fast-check';
import { ROLES } from '@managed-dev/contract';
import { KeyConstraint, TargetAncestry, isVisible, visibility } from '../../../control-plane/src/domain/visibility';

/** A small fixed tree: two teams, two projects each, two sites each, in account A. */
const teams = ['team_1', 'team_2'];
const projectsOf = (team: string) => [`proj_${team}_a`, `proj_${team}_b`];
const sitesOf = (project: string) => [`site_${project}_x`, `site_${project}_y`];

const nodes: TargetAncestry[] = [{ accountId: 'acct_A' }];
for (const teamId of teams) {
  nodes.push({ accountId: 'acct_A', teamId });
  for (const projectId of projectsOf(teamId)) {
    nodes.push({ accountId: 'acct_A', teamId, projectId });
    for (const siteId of sitesOf(projectId)) nodes.push({ accountId: 'acct_A', teamId, projectId, siteId });
  }
}
nodes.push({ accountId: 'acct_B', teamId: 'team_9', projectId: 'proj_9', siteId: 'site_9' });

/** The constraint naming a node (nodes below the account root only). */
function constraintFor(node: TargetAncestry): KeyConstraint | null {
  if (node.siteId) return { site_id: node.siteId };
  if (node.projectId) return { project_id: node.projectId };
  if (node.teamId) return { team_id: node.teamId };
  return null;
}

/** True when `inner` is `outer` or lies below it. */
function within(inner: TargetAncestry, outer: TargetAncestry): boolean {
  if (inner.accountId !== outer.accountId) return false;
  if (outer.siteId) return inner.siteId === outer.siteId;
  if (outer.projectId) return inner.projectId === outer.projectId;
  if (outer.teamId) return inner.teamId === outer.teamId;
  return true;
}

const node = fc.constantFrom(...nodes);
const principal = fc.record({
  accountId: fc.constant('acct_A'),
  role: fc.constantFrom(...ROLES),
  teamIds: fc.subarray(teams),
});

describe('visibility', () => {
  const owner = { accountId: 'acct_A', role: 'owner' as const, teamIds: [] };
  const member = { accountId: 'acct_A', role: 'member' as const, teamIds: ['team_1'] };
  const site = { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_team_1_a', siteId: 'site_proj_team_1_a_x' };

  it('never shows another account', () => {
    expect(visibility(owner, null, { accountId: 'acct_B', teamId: 'team_9' })).toEqual({ visible: false, reason: 'other_account' });
  });

  it('lets owner and admin reach every team, member and viewer only their own', () => {
    const other = { accountId: 'acct_A', teamId: 'team_2' };
    expect(isVisible(owner, null, other)).toBe(true);
    expect(isVisible({ ...owner, role: 'admin' }, null, other)).toBe(true);
    expect(visibility(member, null, other)).toEqual({ visible: false, reason: 'outside_reach' });
    expect(visibility({ ...member, role: 'viewer' }, null, other)).toEqual({ visible: false, reason: 'outside_reach' });
    expect(isVisible(member, null, site)).toBe(true);
    expect(isVisible(member, null, { accountId: 'acct_A' })).toBe(true);
  });

  it('limits a constrained key to its subtree, ancestors excluded', () => {
    const project = { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_team_1_a' };
    expect(isVisible(owner, { project_id: 'proj_team_1_a' }, site)).toBe(true);
    expect(isVisible(owner, { project_id: 'proj_team_1_a' }, project)).toBe(true);
    expect(visibility(owner, { site_id: site.siteId }, project)).toEqual({ visible: false, reason: 'outside_constraint' });
    expect(isVisible(owner, { team_id: 'team_1' }, { accountId: 'acct_A' })).toBe(false);
  });

  it('accepts team memberships as a Set as well as an array', () => {
    expect(isVisible({ ...member, teamIds: new Set(['team_1']) }, null, site)).toBe(true);
    expect(isVisible({ ...member, teamIds: new Set(['team_2']) }, null, site)).toBe(false);
  });

  it('a narrower constraint never sees more than a wider one', () => {
    fc.assert(
      fc.property(principal, node, node, node, (who, wide, narrow, target) => {
        fc.pre(wide.accountId === 'acct_A' && narrow.accountId === 'acct_A' && within(narrow, wide));
        if (isVisible(who, constraintFor(narrow), target)) {
          expect(isVisible(who, constraintFor(wide), target)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a constrained key sees exactly the part of its subtree the principal reaches', () => {
    fc.assert(
      fc.property(principal, node, node, (who, constrainedTo, target) => {
        fc.pre(constrainedTo.accountId === 'acct_A' && constrainedTo.teamId !== undefined);
        const expected = within(target, constrainedTo) && isVisible(who, null, target);
        expect(isVisible(who, constraintFor(constrainedTo), target)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('a lower role never sees more than a higher one with the same memberships', () => {
    fc.assert(
      fc.property(principal, node, fc.option(node, { nil: undefined }), (who, target, constrainedTo) => {
        const constraint = constrainedTo ? constraintFor(constrainedTo) : null;
        if (isVisible({ ...who, role: 'viewer' }, constraint, target)) {
          for (const role of ROLES) expect(isVisible({ ...who, role }, constraint, target)).toBe(true);
        }
      }),
    );
  });
});
