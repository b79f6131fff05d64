/**
 * Property tests for the scope algebra (docs/guides/scopes.md): wildcards never reach a dangerous scope, and
 * subset/intersection behave like the set operations the down-scoping rule relies on.
 */
import fc from 'fast-check';
import { expandPattern, expandScopes, intersectScopes, isDangerousScope, isSubsetOf, roleCeiling, SCOPE_NAMES, scopesBeyond } from '@managed-dev/contract';

const resources = [...new Set(SCOPE_NAMES.map((name) => name.split(':')[0]!))];
const actions = [...new Set(SCOPE_NAMES.map((name) => name.split(':')[1]!))];
const segment = (known: string[]) => fc.oneof(fc.constant('*'), fc.constantFrom(...known), fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/));
const wildcardPattern = fc
  .tuple(segment(resources), segment(actions))
  .map(([resource, action]) => `${resource}:${action}`)
  .filter((pattern) => pattern.includes('*'));
const scopeSet = fc.subarray([...SCOPE_NAMES]);

describe('wildcard expansion', () => {
  it('never yields a dangerous scope except through its own family pattern', () => {
    fc.assert(
      fc.property(wildcardPattern, (pattern) => {
        const [resource, action] = pattern.split(':');
        for (const granted of expandPattern(pattern)) {
          if (!isDangerousScope(granted)) continue;
          // The only wildcard allowed to reach a dangerous scope is "<its resource>:*".
          expect(action).toBe('*');
          expect(resource).toBe(granted.split(':')[0]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never yields a dangerous scope from a pattern whose resource is a wildcard', () => {
    fc.assert(
      fc.property(fc.array(wildcardPattern.filter((p) => p.startsWith('*:'))), (patterns) => {
        expect(expandScopes(patterns).filter(isDangerousScope)).toEqual([]);
      }),
    );
  });

  it('grants only catalog scopes that match the pattern', () => {
    fc.assert(
      fc.property(wildcardPattern, (pattern) => {
        const [resource, action] = pattern.split(':');
        for (const granted of expandPattern(pattern)) {
          expect(SCOPE_NAMES).toContain(granted);
          const [r, a] = granted.split(':');
          expect(resource === '*' || resource === r).toBe(true);
          expect(action === '*' || action === a).toBe(true);
        }
      }),
    );
  });

  it('keeps dangerous scopes out of every role ceiling below owner except admin keys:write', () => {
    expect(roleCeiling('viewer').filter(isDangerousScope)).toEqual([]);
    expect(roleCeiling('member').filter(isDangerousScope)).toEqual([]);
    expect(roleCeiling('admin').filter(isDangerousScope)).toEqual(['keys:write']);
    expect(roleCeiling('owner').filter(isDangerousScope).sort()).toEqual(SCOPE_NAMES.filter(isDangerousScope).sort());
  });
});

describe('subset and intersection laws', () => {
  it('intersection is commutative, idempotent and a subset of both sides', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, (a, b) => {
        const ab = intersectScopes(a, b);
        expect(ab).toEqual(intersectScopes(b, a));
        expect(intersectScopes(a, a)).toEqual([...new Set(a)].sort());
        expect(isSubsetOf(ab, a)).toBe(true);
        expect(isSubsetOf(ab, b)).toBe(true);
      }),
    );
  });

  it('intersection is associative', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, scopeSet, (a, b, c) => {
        expect(intersectScopes(intersectScopes(a, b), c)).toEqual(intersectScopes(a, intersectScopes(b, c)));
      }),
    );
  });

  it('subset is reflexive and transitive, and matches an empty "beyond" list', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, scopeSet, (a, b, c) => {
        expect(isSubsetOf(a, a)).toBe(true);
        if (isSubsetOf(a, b) && isSubsetOf(b, c)) expect(isSubsetOf(a, c)).toBe(true);
        expect(isSubsetOf(a, b)).toBe(scopesBeyond(a, b).length === 0);
      }),
    );
  });

  it('a ∩ b equals a exactly when a ⊆ b', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, (a, b) => {
        const sameAsA = JSON.stringify(intersectScopes(a, b)) === JSON.stringify([...new Set(a)].sort());
        expect(sameAsA).toBe(isSubsetOf(a, b));
      }),
    );
  });

  it('role ceilings are nested: viewer ⊆ member ⊆ admin ⊆ owner', () => {
    expect(isSubsetOf(roleCeiling('viewer'), roleCeiling('member'))).toBe(true);
    expect(isSubsetOf(roleCeiling('member'), roleCeiling('admin'))).toBe(true);
    expect(isSubsetOf(roleCeiling('admin'), roleCeiling('owner'))).toBe(true);
    expect(isSubsetOf(roleCeiling('member'), roleCeiling('viewer'))).toBe(false);
  });
});
