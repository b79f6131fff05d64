import { constraintOffenders, keyEscalation } from '../../../control-plane/src/domain/down-scoping';

const site = { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_1', siteId: 'site_1' };
const project = { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_1' };
const team = { accountId: 'acct_A', teamId: 'team_1' };
const admin = { accountId: 'acct_A', role: 'admin' as const, teamIds: [] };

describe('constraintOffenders', () => {
  it('lets an unconstrained admin constrain to any node of the account', () => {
    expect(constraintOffenders({ minter: admin, minterConstraint: null, requested: null, requestedTarget: null })).toEqual([]);
    expect(constraintOffenders({ minter: admin, minterConstraint: null, requested: { team_id: 'team_1' }, requestedTarget: team })).toEqual([]);
  });

  it('refuses a wider or missing constraint from a constrained minter', () => {
    const base = { minter: admin, minterConstraint: { project_id: 'proj_1' } };
    expect(constraintOffenders({ ...base, requested: null, requestedTarget: null })).toEqual([expect.objectContaining({ pointer: '/constraint' })]);
    expect(constraintOffenders({ ...base, requested: { team_id: 'team_1' }, requestedTarget: team })).toEqual([
      expect.objectContaining({ pointer: '/constraint/team_id' }),
    ]);
    expect(constraintOffenders({ ...base, requested: { site_id: 'site_1' }, requestedTarget: site })).toEqual([]);
    expect(constraintOffenders({ ...base, requested: { project_id: 'proj_1' }, requestedTarget: project })).toEqual([]);
  });

  it('answers missing, foreign and out-of-reach ids identically', () => {
    const base = { minter: admin, minterConstraint: { project_id: 'proj_1' }, requested: { site_id: 'site_x' } };
    const missing = constraintOffenders({ ...base, requestedTarget: null });
    const foreign = constraintOffenders({ ...base, requestedTarget: { accountId: 'acct_B', teamId: 't', projectId: 'p', siteId: 'site_x' } });
    const outside = constraintOffenders({ ...base, requestedTarget: { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_2', siteId: 'site_x' } });
    expect(missing).toHaveLength(1);
    expect(foreign).toEqual(missing);
    expect(outside).toEqual(missing);
  });

  it("refuses a member's constraint on a team it does not belong to", () => {
    const member = { accountId: 'acct_A', role: 'member' as const, teamIds: ['team_2'] };
    expect(constraintOffenders({ minter: member, minterConstraint: null, requested: { team_id: 'team_1' }, requestedTarget: team })).toHaveLength(1);
    expect(
      constraintOffenders({ minter: { ...member, teamIds: ['team_1'] }, minterConstraint: null, requested: { team_id: 'team_1' }, requestedTarget: team }),
    ).toEqual([]);
  });
});

describe('keyEscalation', () => {
  it('lists scope and constraint offenders in one 403', () => {
    const error = keyEscalation([{ scope: 'exec:raw', pointer: '/scopes/0' }], [{ pointer: '/constraint', detail: 'too wide' }]);
    expect(error.status).toBe(403);
    expect(error.code).toBe('scope_escalation');
    expect(error.errors?.map((e) => e.pointer)).toEqual(['/scopes/0', '/constraint']);
    expect(error.extensions).toMatchObject({ offending_scopes: ['exec:raw'], offending_constraint: ['/constraint'] });
    expect(keyEscalation([{ scope: 'exec:raw', pointer: '/scopes/0' }], []).errors).toHaveLength(1);
  });
});
