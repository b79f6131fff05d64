/**
 * Acting on a key is minting it again (domain/key-authority.ts): unit cases for each of the three
 * rules, and properties tying the rule to the one POST /v1/keys applies.
 */
import fc from 'fast-check';
import {
  ExistingKey,
  KeyActor,
  keyAuthority,
  keyAuthorityError,
  mayActOnKey,
  storedGrant,
  ownerRefusals,
} from '../../../control-plane/src/domain/key-authority';
import { grantableScopes, offendingScopes } from '../../../control-plane/src/domain/minting';
import { PRESETS, ROLES, Role, SCOPE_NAMES, grantedScopes, roleCeiling } from '@managed-dev/contract';
import type { KeyConstraint, TargetAncestry } from '../../../control-plane/src/domain/visibility';

const account = 'acct_A';
const team1: TargetAncestry = { accountId: account, teamId: 'team_1' };
const site1: TargetAncestry = { accountId: account, teamId: 'team_1', projectId: 'proj_1', siteId: 'site_1' };
const team2: TargetAncestry = { accountId: account, teamId: 'team_2' };

function actor(role: Role, keyScopes: readonly string[], constraint: KeyConstraint | null = null, principalId = 'prin_actor'): KeyActor {
  return { principalId, reach: { accountId: account, role, teamIds: ['team_1'] }, keyScopes, constraint };
}

function key(overrides: Partial<ExistingKey> = {}): ExistingKey {
  return {
    preset: null,
    scopes: ['sites:read'],
    constraint: null,
    constraintTarget: null,
    owner: { id: 'prin_actor', kind: 'user', role: 'owner' },
    ...overrides,
  };
}

describe('keyAuthority', () => {
  it('refuses a key granting scopes beyond the acting key, listing them', () => {
    const verdict = keyAuthority(actor('owner', ['keys:write']), key({ scopes: ['exec:raw', 'credentials:read', 'keys:write'] }));
    expect(verdict.scopes).toEqual(['credentials:read', 'exec:raw']);
    expect(verdict.principal).toEqual([]);
  });

  it("refuses another user's key, and a service account's key above the actor's role", () => {
    const admin = actor('admin', [...SCOPE_NAMES]);
    expect(keyAuthority(admin, key({ owner: { id: 'prin_owner', kind: 'user', role: 'owner' } })).principal).toHaveLength(2);
    expect(keyAuthority(admin, key({ owner: { id: 'prin_bot', kind: 'service', role: 'owner' } })).principal).toEqual([
      "the principal's role (owner) is above yours (admin)",
    ]);
    expect(keyAuthority(admin, key({ owner: { id: 'prin_bot', kind: 'service', role: 'member' } })).principal).toEqual([]);
    expect(keyAuthority(actor('member', [...SCOPE_NAMES]), key({ owner: { id: 'prin_bot', kind: 'service', role: 'viewer' } })).principal).toEqual([
      'only owners and admins may mint keys for another principal',
    ]);
  });

  it("refuses a key whose constraint is wider than, or outside, the actor's constraint", () => {
    const teamActor = actor('owner', [...SCOPE_NAMES], { team_id: 'team_1' });
    expect(keyAuthority(teamActor, key()).constraint).toHaveLength(1); // unconstrained key
    expect(keyAuthority(teamActor, key({ constraint: { team_id: 'team_2' }, constraintTarget: team2 })).constraint).toHaveLength(1);
    expect(keyAuthority(teamActor, key({ constraint: { site_id: 'site_1' }, constraintTarget: site1 })).constraint).toEqual([]);
    expect(keyAuthority(teamActor, key({ constraint: { team_id: 'team_1' }, constraintTarget: team1 })).constraint).toEqual([]);
  });

  it("judges the key's stored grant: a demoted owner's key needs authority over everything it was granted", () => {
    const demoted = key({ scopes: ['exec:raw', 'sites:read'], owner: { id: 'prin_bot', kind: 'service', role: 'viewer' } });
    expect(storedGrant(demoted)).toEqual(['exec:raw', 'sites:read']);
    // Promoting the owner again would give a secret handed out now exec:raw.
    expect(keyAuthority(actor('admin', ['keys:write', 'sites:read']), demoted).scopes).toEqual(['exec:raw']);
    // An owner holding the stored grant can still manage (revoke) the key, whatever its owner's role today.
    expect(mayActOnKey(actor('owner', ['keys:write', 'sites:read', 'exec:raw']), demoted)).toBe(true);
  });

  it('renders a refusal as the 403 scope_escalation POST /v1/keys answers', () => {
    const error = keyAuthorityError({ scopes: ['exec:raw'], principal: ['no'], constraint: [] });
    expect(error.status).toBe(403);
    expect(error.code).toBe('scope_escalation');
    expect(error.extensions).toEqual({ offending_scopes: ['exec:raw'], offending_principal: true });
    expect(error.errors).toHaveLength(2);
  });
});

const role = fc.constantFrom(...ROLES);
const scopeSet = fc.subarray([...SCOPE_NAMES]);
const preset = fc.option(fc.constantFrom(...Object.keys(PRESETS)), { nil: null });
const ownerKind = fc.constantFrom<'user' | 'service'>('user', 'service');

describe('properties', () => {
  it("a key may always act on itself while its grant is within its owner's role", () => {
    fc.assert(
      fc.property(role, preset, scopeSet, (actorRole, keyPreset, anyScopes) => {
        // A key as minting leaves it: nothing beyond its owner's role ceiling.
        const ceiling = new Set(roleCeiling(actorRole));
        const keyScopes = anyScopes.filter((scope) => ceiling.has(scope));
        if (keyPreset && grantedScopes(keyPreset, []).some((scope) => !ceiling.has(scope))) keyPreset = null;
        // The calling key's own scopes, as authentication expands them.
        const self = key({ preset: keyPreset, scopes: keyScopes, owner: { id: 'prin_actor', kind: 'user', role: actorRole } });
        const expanded = [...new Set([...(keyPreset ? PRESETS[keyPreset]!.scopes : []), ...keyScopes])];
        expect(mayActOnKey(actor(actorRole, expanded, null), self)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with minting: a key the actor could mint for that owner is one it may act on, and a refusal names scopes minting would refuse', () => {
    fc.assert(
      fc.property(role, scopeSet, role, ownerKind, scopeSet, (actorRole, actorScopes, ownerRole, kind, keyScopes) => {
        const owner = { id: 'prin_bot', kind, role: ownerRole };
        const wanted = offendingScopes(null, keyScopes, grantableScopes({ role: actorRole, keyScopes: actorScopes }, ownerRole));
        const principalOk = ownerRefusals({ id: 'prin_actor', role: actorRole }, owner).length === 0;
        const verdict = keyAuthority(actor(actorRole, actorScopes), key({ scopes: keyScopes, owner }));
        if (wanted.length === 0 && principalOk) expect(mayActOnKey(actor(actorRole, actorScopes), key({ scopes: keyScopes, owner }))).toBe(true);
        for (const scope of verdict.scopes) expect(wanted.map((o) => o.scope)).toContain(scope);
        expect(verdict.principal.length === 0).toBe(principalOk);
      }),
      { numRuns: 1000 },
    );
  });

  it('is monotonic: narrowing the key acted on, or widening the acting key, never turns allowed into refused', () => {
    fc.assert(
      fc.property(role, scopeSet, scopeSet, scopeSet, scopeSet, (actorRole, actorScopes, extra, keyScopes, drop) => {
        const owner = { id: 'prin_actor', kind: 'user' as const, role: actorRole };
        if (!mayActOnKey(actor(actorRole, actorScopes), key({ scopes: keyScopes, owner }))) return;
        const narrower = keyScopes.filter((scope) => !drop.includes(scope));
        expect(mayActOnKey(actor(actorRole, actorScopes), key({ scopes: narrower, owner }))).toBe(true);
        expect(mayActOnKey(actor(actorRole, [...actorScopes, ...extra]), key({ scopes: keyScopes, owner }))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("never lets an actor act on a key whose stored grant reaches outside its own role's ceiling or key, whatever the owner's role now", () => {
    fc.assert(
      fc.property(role, scopeSet, role, scopeSet, (actorRole, actorScopes, ownerRole, keyScopes) => {
        const verdict = keyAuthority(actor(actorRole, actorScopes), key({ scopes: keyScopes, owner: { id: 'prin_bot', kind: 'service', role: ownerRole } }));
        const ceiling = new Set(roleCeiling(actorRole));
        const power = storedGrant(key({ scopes: keyScopes, owner: { id: 'prin_bot', kind: 'service', role: ownerRole } }));
        for (const scope of power) if (!ceiling.has(scope) || !actorScopes.includes(scope)) expect(verdict.scopes).toContain(scope);
      }),
      { numRuns: 1000 },
    );
  });
});
