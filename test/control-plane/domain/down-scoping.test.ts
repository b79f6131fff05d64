import fc from 'fast-check';
import { ROLES, Role } from '../../../control-plane/src/domain/scope-catalog';
import { roleCeiling } from '../../../control-plane/src/domain/scopes';
import { Minter, grantableScopes, mintOffenders } from '../../../control-plane/src/domain/down-scoping';
import { isSubsetOf } from '../../../control-plane/src/domain/scopes';

const site = { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_1', siteId: 'site_1' };
const project = { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_1' };
const team = { accountId: 'acct_A', teamId: 'team_1' };

function minter(overrides: Partial<Minter> = {}): Minter {
  return { accountId: 'acct_A', role: 'admin', teamIds: [], keyScopes: roleCeiling('admin'), constraint: null, ...overrides };
}

describe('mintOffenders', () => {
  it('accepts a key within the minter', () => {
    expect(
      mintOffenders({
        minter: minter(),
        ownerRole: 'admin',
        ownerIsMinter: true,
        requestedScopes: ['sites:read', 'sites:write'],
        requestedConstraint: { siteId: 'site_1' },
        constraintTarget: site,
      }),
    ).toEqual([]);
  });

  it('lists every scope beyond the minting key and beyond the role', () => {
    const offenders = mintOffenders({
      minter: minter({ keyScopes: ['keys:write', 'sites:read'] }),
      ownerRole: 'admin',
      ownerIsMinter: true,
      requestedScopes: ['sites:read', 'sites:write', 'exec:raw'],
      requestedConstraint: null,
      constraintTarget: null,
    });
    expect(offenders.map((o) => o.scope)).toEqual(['exec:raw', 'sites:write']);
    expect(offenders[0]!.detail).toContain('role "admin"');
    expect(offenders[0]!.detail).toContain('does not hold it');
    expect(offenders.every((o) => o.pointer === '/scopes')).toBe(true);
  });

  it('refuses a wider or missing constraint from a constrained minter, and an unreachable one', () => {
    const constrained = minter({ constraint: { projectId: 'proj_1' } });
    const base = { minter: constrained, ownerRole: 'admin' as Role, ownerIsMinter: true, requestedScopes: ['sites:read'] };
    expect(mintOffenders({ ...base, requestedConstraint: null, constraintTarget: null })).toEqual([
      expect.objectContaining({ pointer: '/constraint' }),
    ]);
    expect(mintOffenders({ ...base, requestedConstraint: { teamId: 'team_1' }, constraintTarget: team })).toEqual([
      expect.objectContaining({ pointer: '/constraint/team_id' }),
    ]);
    expect(mintOffenders({ ...base, requestedConstraint: { siteId: 'site_1' }, constraintTarget: site })).toEqual([]);
    expect(mintOffenders({ ...base, requestedConstraint: { projectId: 'proj_1' }, constraintTarget: project })).toEqual([]);
    // Missing and another account's ids read exactly like an existing id outside the constraint.
    const missing = mintOffenders({ ...base, requestedConstraint: { siteId: 'site_x' }, constraintTarget: null });
    const foreign = mintOffenders({
      ...base,
      requestedConstraint: { siteId: 'site_x' },
      constraintTarget: { accountId: 'acct_B', teamId: 't', projectId: 'p', siteId: 'site_x' },
    });
    const outside = mintOffenders({
      ...base,
      requestedConstraint: { siteId: 'site_x' },
      constraintTarget: { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_2', siteId: 'site_x' },
    });
    expect(missing).toEqual(foreign);
    expect(missing).toEqual(outside);
  });

  it('refuses a member constraining a key to a team it does not belong to', () => {
    const offenders = mintOffenders({
      minter: minter({ role: 'member', teamIds: ['team_2'], keyScopes: roleCeiling('member') }),
      ownerRole: 'member',
      ownerIsMinter: true,
      requestedScopes: ['sites:read'],
      requestedConstraint: { teamId: 'team_1' },
      constraintTarget: team,
    });
    expect(offenders).toHaveLength(1);
  });

  it('refuses minting for a principal with a higher role and caps scopes by its ceiling', () => {
    const offenders = mintOffenders({
      minter: minter(),
      ownerRole: 'owner',
      ownerIsMinter: false,
      requestedScopes: ['sites:read'],
      requestedConstraint: null,
      constraintTarget: null,
    });
    expect(offenders).toEqual([expect.objectContaining({ pointer: '/principal_id' })]);
    const forViewer = mintOffenders({
      minter: minter(),
      ownerRole: 'viewer',
      ownerIsMinter: false,
      requestedScopes: ['sites:read', 'sites:write'],
      requestedConstraint: null,
      constraintTarget: null,
    });
    expect(forViewer.map((o) => o.scope)).toEqual(['sites:write']);
  });

  it('never accepts a scope outside grantableScopes (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROLES),
        fc.constantFrom(...ROLES),
        fc.subarray(roleCeiling('owner')),
        fc.subarray(roleCeiling('owner')),
        (minterRole, ownerRole, keyScopes, requested) => {
          const who = minter({ role: minterRole, keyScopes });
          const offenders = mintOffenders({
            minter: who,
            ownerRole,
            ownerIsMinter: false,
            requestedScopes: requested,
            requestedConstraint: null,
            constraintTarget: null,
          });
          const scopeOffenders = offenders.filter((o) => o.scope).map((o) => o.scope!);
          const grantable = grantableScopes(who, ownerRole);
          expect(isSubsetOf(requested.filter((s) => !scopeOffenders.includes(s)), grantable)).toBe(true);
          expect(scopeOffenders.every((s) => !grantable.includes(s))).toBe(true);
        },
      ),
    );
  });
});
