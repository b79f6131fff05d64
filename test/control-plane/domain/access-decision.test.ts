import fc from 'fast-check';
import { roleCeiling, ROLES } from '@managed-dev/contract';
import { decideAccess, effectiveScopes } from '../../../control-plane/src/domain/access-decision';

const site = { accountId: 'acct_A', teamId: 'team_1', projectId: 'proj_1', siteId: 'site_1' };
const admin = { accountId: 'acct_A', role: 'admin' as const, teamIds: [] };

describe('decideAccess', () => {
  it('allows a visible target with the scope', () => {
    expect(decideAccess({ principal: admin, keyScopes: ['sites:read'], constraint: { site_id: 'site_1' }, target: site, neededScope: 'sites:read' })).toEqual({
      outcome: 'allow',
    });
  });

  it('answers 404 before looking at scopes, whatever hides the target', () => {
    const noScopes = { principal: admin, keyScopes: [] as string[], neededScope: 'sites:read' };
    expect(decideAccess({ ...noScopes, constraint: null, target: 'missing' })).toEqual({ outcome: 'not_found', cause: 'missing' });
    expect(decideAccess({ ...noScopes, constraint: { site_id: 'site_2' }, target: site })).toEqual({ outcome: 'not_found', cause: 'outside_constraint' });
    expect(decideAccess({ ...noScopes, constraint: null, target: { ...site, accountId: 'acct_B' } })).toEqual({ outcome: 'not_found', cause: 'other_account' });
    expect(decideAccess({ ...noScopes, principal: { ...admin, role: 'member' }, constraint: null, target: site })).toEqual({
      outcome: 'not_found',
      cause: 'outside_reach',
    });
  });

  it('answers insufficient_scope with the needed scope when the target is visible', () => {
    expect(decideAccess({ principal: admin, keyScopes: ['sites:read'], constraint: null, target: site, neededScope: 'sites:write' })).toEqual({
      outcome: 'insufficient_scope',
      neededScope: 'sites:write',
    });
  });

  it('applies the current role ceiling to the key scopes', () => {
    const viewer = { ...admin, role: 'viewer' as const };
    expect(decideAccess({ principal: viewer, keyScopes: ['sites:write'], constraint: null, target: null, neededScope: 'sites:write' }).outcome).toBe(
      'insufficient_scope',
    );
    expect(decideAccess({ principal: admin, keyScopes: ['sites:write'], constraint: null, target: null, neededScope: 'sites:write' }).outcome).toBe('allow');
    expect(decideAccess({ principal: viewer, keyScopes: [], constraint: null, target: null, neededScope: null }).outcome).toBe('allow');
  });

  it('effective scopes are always within both the key and the role (property)', () => {
    fc.assert(
      fc.property(fc.subarray(roleCeiling('owner')), fc.constantFrom(...ROLES), (scopes, role) => {
        const effective = effectiveScopes(scopes, role);
        for (const scope of effective) {
          expect(scopes).toContain(scope);
          expect(roleCeiling(role)).toContain(scope);
        }
        for (const scope of scopes) {
          const allowed =
            decideAccess({ principal: { ...admin, role }, keyScopes: scopes, constraint: null, target: null, neededScope: scope }).outcome === 'allow';
          expect(allowed).toBe(effective.includes(scope));
        }
      }),
    );
  });
});
