import fc from 'fast-check';
import { decideAccess, effectiveScopes } from '../../../control-plane/src/domain/access-decision';
import {
  AuthorizationDecision,
  AuthorizationRequest,
  Caller,
  KeyConstraint,
  TargetResource,
  authorize,
  reachOf,
} from '../../../control-plane/src/domain/authorization';
import { ROLES, SCOPE_NAMES } from '@managed-dev/contract';
import type { TargetAncestry } from '../../../control-plane/src/domain/visibility';

/**
 * `authorize` keeps what follows from a caller (its reach, its "allow" decision) per Caller object.
 * The reference below is the decision written out with nothing kept: the memo must never change
 * an answer, whether it is filled by this call or by an earlier one.
 */
function uncachedAuthorize({ caller, requiredScope, target }: AuthorizationRequest): AuthorizationDecision {
  if (target === null) return { outcome: 'not_found', cause: 'missing' };
  if (target !== undefined && target.accountId !== caller.accountId) return { outcome: 'not_found', cause: 'other_account' };
  let ancestry: TargetAncestry | null = null;
  if (target?.placement) ancestry = { accountId: target.accountId, ...target.placement };
  else if (target?.accountWide) ancestry = { accountId: target.accountId };
  const decision = decideAccess({
    principal: { accountId: caller.accountId, role: caller.role, teamIds: caller.teamIds ?? [] },
    keyScopes: caller.keyScopes,
    constraint: caller.constraint,
    target: ancestry,
    neededScope: requiredScope,
  });
  if (decision.outcome === 'not_found') return decision;
  if (decision.outcome === 'insufficient_scope') return { outcome: 'insufficient_scope', scope: decision.neededScope };
  return { outcome: 'allow', effectiveScopes: effectiveScopes(caller.keyScopes, caller.role) };
}

const teams = ['team_1', 'team_2'];
const placements = [
  { teamId: 'team_1' },
  { teamId: 'team_1', projectId: 'proj_1' },
  { teamId: 'team_1', projectId: 'proj_1', siteId: 'site_1' },
  { teamId: 'team_2', projectId: 'proj_2', siteId: 'site_2' },
];
const constraints: Array<KeyConstraint | null> = [null, { team_id: 'team_1' }, { project_id: 'proj_1' }, { site_id: 'site_1' }, { site_id: 'site_2' }];
const someScopes = SCOPE_NAMES.slice(0, 12);

const callerArbitrary: fc.Arbitrary<Caller> = fc
  .record({
    role: fc.constantFrom(...ROLES),
    keyScopes: fc.subarray(someScopes),
    constraint: fc.constantFrom(...constraints),
    teamIds: fc.option(fc.subarray(teams), { nil: undefined }),
  })
  .map(({ teamIds, ...rest }) => ({
    accountId: 'acct_A',
    principalId: 'prn_1',
    keyId: 'key_1',
    ipAllowlist: [],
    ...rest,
    ...(teamIds === undefined ? {} : { teamIds }),
  }));

const targetArbitrary: fc.Arbitrary<TargetResource | null | undefined> = fc.oneof(
  fc.constantFrom<TargetResource | null | undefined>(
    undefined,
    null,
    { accountId: 'acct_A' },
    { accountId: 'acct_A', accountWide: true },
    { accountId: 'acct_B', accountWide: true },
  ),
  fc.record({ accountId: fc.constantFrom('acct_A', 'acct_B'), placement: fc.constantFrom(...placements) }),
);

const requestArbitrary = fc.record({
  requiredScope: fc.option(fc.constantFrom(...someScopes), { nil: null }),
  target: targetArbitrary,
});

describe('authorize', () => {
  it('answers exactly what the uncached decision answers, on first and later calls for the same caller (property)', () => {
    fc.assert(
      fc.property(callerArbitrary, fc.array(requestArbitrary, { minLength: 1, maxLength: 6 }), (caller, requests) => {
        for (const { requiredScope, target } of requests) {
          const request: AuthorizationRequest = target === undefined ? { caller, requiredScope } : { caller, requiredScope, target };
          expect(authorize(request)).toEqual(uncachedAuthorize(request));
        }
      }),
    );
  });

  it("reachOf is the caller's account, role and teams, whether or not it was worked out before (property)", () => {
    fc.assert(
      fc.property(callerArbitrary, (caller) => {
        const expected = { accountId: caller.accountId, role: caller.role, teamIds: caller.teamIds ?? [] };
        expect(reachOf(caller)).toEqual(expected);
        expect(reachOf(caller)).toEqual(expected);
      }),
    );
  });

  it('shares one frozen allow decision per caller, and a different caller gets its own', () => {
    const caller: Caller = {
      accountId: 'acct_A',
      principalId: 'prn_1',
      role: 'viewer',
      keyId: 'key_1',
      keyScopes: ['sites:read', 'sites:write'],
      constraint: { site_id: 'site_1' },
      ipAllowlist: [],
      teamIds: ['team_1'],
    };
    const target: TargetResource = { accountId: 'acct_A', placement: placements[2]! };
    const first = authorize({ caller, requiredScope: 'sites:read', target });
    expect(first).toEqual({ outcome: 'allow', effectiveScopes: ['sites:read'] });
    expect(authorize({ caller, requiredScope: null })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const promoted = { ...caller, role: 'admin' as const };
    expect(authorize({ caller: promoted, requiredScope: 'sites:write', target })).toEqual({
      outcome: 'allow',
      effectiveScopes: ['sites:read', 'sites:write'],
    });
  });
});
