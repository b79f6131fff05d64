import fc from 'fast-check';
import {
  checkScope,
  checkScopes,
  expandPattern,
  grantedScopes,
  intersectScopes,
  isDangerousScope,
  isSubsetOf,
  normalizeScopeList,
  parseScope,
  PRESET_NAMES,
  PRESETS,
  presetScopes,
  roleCeiling,
  SCOPE_NAMES,
  scopesBeyond,
} from '@managed-dev/contract';

const DANGEROUS = ['keys:write', 'credentials:read', 'credentials:write', 'exec:raw'];
const NON_DANGEROUS_READS = SCOPE_NAMES.filter((s) => s.endsWith(':read') && !isDangerousScope(s));

describe('scope grammar', () => {
  test.each(['sites:read', 'sites:*', '*:read', '*:*', 'a-b_c9:x'])('%p parses', (text) => {
    expect(parseScope(text)).not.toBeNull();
  });
  test.each(['sites', 'sites:', ':read', 'Sites:read', 'sites:read:extra', '9sites:read', 'si tes:read', 'sites:re*d', ''])('%p does not parse', (text) => {
    expect(parseScope(text)).toBeNull();
    expect(checkScope(text)).not.toBeNull();
  });
});

describe('catalog', () => {
  test('the dangerous scopes are exactly the four dangerous scopes of docs/guides/scopes.md', () => {
    expect(SCOPE_NAMES.filter(isDangerousScope).sort()).toEqual([...DANGEROUS].sort());
    expect(SCOPE_NAMES).toHaveLength(27);
  });
});

describe('wildcards', () => {
  test('*:* grants every non-dangerous scope and no dangerous one', () => {
    expect(expandPattern('*:*').sort()).toEqual(SCOPE_NAMES.filter((s) => !isDangerousScope(s)).sort());
  });
  test('*:read and *:write skip dangerous scopes', () => {
    expect(expandPattern('*:read')).not.toContain('credentials:read');
    expect(expandPattern('*:write')).not.toEqual(expect.arrayContaining(['keys:write']));
    expect(expandPattern('*:write')).not.toContain('credentials:write');
  });
  test('family patterns grant their dangerous scopes', () => {
    expect(expandPattern('credentials:*')).toEqual(['credentials:read', 'credentials:write']);
    expect(expandPattern('exec:*')).toEqual(['exec:raw']);
    expect(expandPattern('keys:*').sort()).toEqual(['keys:read', 'keys:write']);
  });
  test('dangerous scopes named exactly are granted', () => {
    for (const name of DANGEROUS) expect(expandPattern(name)).toEqual([name]);
  });
  test('a pattern that matches nothing, or only dangerous scopes, is rejected with a reason', () => {
    expect(checkScope('nothing:*')?.message).toContain('matches no scope');
    expect(checkScope('*:raw')?.message).toContain('only dangerous');
  });
  test('property: a pattern without a family resource never expands to a dangerous scope', () => {
    const resources = [...new Set(SCOPE_NAMES.map((s) => s.split(':')[0]!))];
    const actions = [...new Set(SCOPE_NAMES.map((s) => s.split(':')[1]!))];
    fc.assert(
      fc.property(fc.constantFrom('*', ...actions), fc.constantFrom(...resources), (action, resource) => {
        expect(expandPattern(`*:${action}`).filter(isDangerousScope)).toEqual([]);
        const family = expandPattern(`${resource}:*`).filter(isDangerousScope);
        expect(family.every((name) => name.startsWith(`${resource}:`))).toBe(true);
      }),
    );
  });
});

describe('unknown scopes and suggestions', () => {
  test.each([
    ['sites:wrte', 'sites:write'],
    ['site:read', 'sites:read'],
    ['deploy:write', 'deploys:write'],
    ['credential:read', 'credentials:read'],
  ])('%p suggests %p', (typo, suggestion) => {
    const problem = checkScope(typo);
    expect(problem?.suggestion).toBe(suggestion);
    expect(problem?.message).toContain(typo);
  });
  test('nonsense gets no suggestion', () => {
    expect(checkScope('zzzzzzzzzzzz:qqqqqqqqqqqq')?.suggestion).toBeUndefined();
  });
  test('checkScopes reports the index of each offender', () => {
    expect(checkScopes(['sites:read', 'bogus', 'sites:reed']).map((p) => p.index)).toEqual([1, 2]);
  });
});

describe('presets (docs/guides/scopes.md)', () => {
  test('read-only is every non-dangerous :read', () => {
    expect([...presetScopes('read-only')!].sort()).toEqual([...NON_DANGEROUS_READS].sort());
  });
  test.each([
    ['deploy-bot', 'sites:read deploys:read deploys:write logs:read'],
    [
      'ci-terraform',
      'teams:read projects:read projects:write sites:read sites:write domains:read domains:write env:read env:write deploys:read deploys:write keys:read',
    ],
    ['observability', 'sites:read deploys:read logs:read metrics:read'],
    ['wp-automation', 'sites:read wp:read wp:write backups:read backups:write'],
  ])('%s', (preset, scopes) => {
    expect(grantedScopes(preset, [])).toEqual(scopes.split(' ').sort());
  });
  test('no preset contains a dangerous scope', () => {
    for (const name of PRESET_NAMES) expect(PRESETS[name]!.scopes.filter(isDangerousScope)).toEqual([]);
  });
  test('unknown presets are not presets', () => {
    expect(presetScopes('toString')).toBeUndefined();
    expect(presetScopes('__proto__')).toBeUndefined();
  });
});

describe('role ceilings (docs/guides/scopes.md)', () => {
  test('viewer = every non-dangerous :read', () => {
    expect(roleCeiling('viewer')).toEqual([...NON_DANGEROUS_READS].sort());
  });
  test('member = viewer + non-dangerous writes on sites, deploys, domains, env, backups, wp, projects', () => {
    const writes = ['sites', 'deploys', 'domains', 'env', 'backups', 'wp', 'projects'].map((r) => `${r}:write`);
    expect(roleCeiling('member')).toEqual([...NON_DANGEROUS_READS, ...writes].sort());
  });
  test('admin = every non-dangerous scope + keys:write', () => {
    expect(roleCeiling('admin')).toEqual([...SCOPE_NAMES.filter((s) => !isDangerousScope(s)), 'keys:write'].sort());
  });
  test('owner = everything', () => {
    expect(roleCeiling('owner')).toEqual([...SCOPE_NAMES].sort());
  });
  test('ceilings are nested', () => {
    expect(isSubsetOf(roleCeiling('viewer'), roleCeiling('member'))).toBe(true);
    expect(isSubsetOf(roleCeiling('member'), roleCeiling('admin'))).toBe(true);
    expect(isSubsetOf(roleCeiling('admin'), roleCeiling('owner'))).toBe(true);
  });
});

describe('set laws', () => {
  const scopeSet = fc.subarray([...SCOPE_NAMES]);
  test('intersection is commutative, idempotent and a subset of both sides', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, (a, b) => {
        const ab = intersectScopes(a, b);
        expect(ab).toEqual(intersectScopes(b, a));
        expect(intersectScopes(ab, ab)).toEqual(ab);
        expect(isSubsetOf(ab, a) && isSubsetOf(ab, b)).toBe(true);
      }),
    );
  });
  test('scopesBeyond is empty exactly when the subset relation holds, and is disjoint from the allowed set', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, (wanted, allowed) => {
        const beyond = scopesBeyond(wanted, allowed);
        expect(beyond.length === 0).toBe(isSubsetOf(wanted, allowed));
        expect(intersectScopes(beyond, allowed)).toEqual([]);
        expect(normalizeScopeList([...intersectScopes(wanted, allowed), ...beyond])).toEqual(normalizeScopeList(wanted));
      }),
    );
  });
  test('normalizeScopeList is sorted, duplicate-free and idempotent', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SCOPE_NAMES, '*:*', 'sites:*')), (list) => {
        const normalized = normalizeScopeList(list);
        expect(normalized).toEqual([...new Set(list)].sort());
        expect(normalizeScopeList(normalized)).toEqual(normalized);
      }),
    );
  });
});
