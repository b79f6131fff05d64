/**
 * Scope grammar and matching (docs/guides/scopes.md). Pure functions over the catalog.
 *
 * scope   = resource ":" action
 * segment = [a-z][a-z0-9_-]* | "*"
 *
 * A pattern expands to the catalog scopes it matches. Wildcards never reach a dangerous scope:
 * a dangerous scope is granted only when named exactly or by its own family pattern
 * ("credentials:*"), so nobody gets `exec:raw` by writing `*:*`.
 */
import { PRESETS, ROLE_CEILING_PATTERNS, Role, SCOPE_NAMES, isDangerousScope, isKnownScope } from './scope-catalog';
import { nearestName } from './suggest';

const SEGMENT = /^(?:[a-z][a-z0-9_-]*|\*)$/;

export interface ParsedScope {
  readonly resource: string;
  readonly action: string;
}

export interface ScopeProblem {
  /** Index of the offending entry in the list that was checked. */
  readonly index: number;
  readonly scope: string;
  readonly message: string;
  readonly suggestion?: string;
}

export function parseScope(text: string): ParsedScope | null {
  const parts = text.split(':');
  if (parts.length !== 2) return null;
  const [resource, action] = parts as [string, string];
  if (!SEGMENT.test(resource) || !SEGMENT.test(action)) return null;
  return { resource, action };
}

export function isPattern(text: string): boolean {
  return text.includes('*');
}

/**
 * Expansions are asked for on every authenticated request (key scopes, role ceilings), so they
 * are memoised. The catalog is fixed for the life of the process; the cache is bounded because
 * patterns arrive from clients.
 */
const expansionCache = new Map<string, readonly string[]>();
const EXPANSION_CACHE_LIMIT = 4096;

/** The catalog scopes a pattern (or an exact name) grants, in catalog order. */
export function expandPattern(pattern: string): string[] {
  const cached = expansionCache.get(pattern);
  if (cached) return [...cached];
  const expanded = computeExpansion(pattern);
  if (expansionCache.size < EXPANSION_CACHE_LIMIT) expansionCache.set(pattern, expanded);
  return [...expanded];
}

function computeExpansion(pattern: string): string[] {
  const parsed = parseScope(pattern);
  if (!parsed) return [];
  if (!isPattern(pattern)) return isKnownScope(pattern) ? [pattern] : [];
  return SCOPE_NAMES.filter((name) => {
    const scope = parseScope(name) as ParsedScope;
    if (isDangerousScope(name)) {
      // Only the family pattern reaches a dangerous scope: `credentials:*` yes, `*:read` or `*:*` never.
      return parsed.action === '*' && parsed.resource === scope.resource;
    }
    return (parsed.resource === '*' || parsed.resource === scope.resource) && (parsed.action === '*' || parsed.action === scope.action);
  });
}

/** The nearest catalog scope to a mistyped one, when it is close enough to be a plausible typo. */
export function suggestScope(text: string): string | undefined {
  return nearestName(text, SCOPE_NAMES);
}

/** Why a single entry is not acceptable, or null when it is. */
export function checkScope(text: string): { message: string; suggestion?: string } | null {
  const parsed = parseScope(text);
  if (!parsed) {
    const suggestion = suggestScope(text);
    return {
      message: `"${text}" is not a scope: expected resource:action, each [a-z][a-z0-9_-]* or *`,
      ...(suggestion ? { suggestion } : {}),
    };
  }
  if (isPattern(text)) {
    if (expandPattern(text).length > 0) return null;
    const dangerousOnly = SCOPE_NAMES.some((name) => isDangerousScope(name) && matchesIgnoringDanger(parsed, name));
    return dangerousOnly
      ? { message: `"${text}" matches only dangerous scopes, which a wildcard never grants: name them exactly` }
      : { message: `"${text}" matches no scope in the catalog` };
  }
  if (isKnownScope(text)) return null;
  const suggestion = suggestScope(text);
  return {
    message: `unknown scope "${text}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
    ...(suggestion ? { suggestion } : {}),
  };
}

function matchesIgnoringDanger(pattern: ParsedScope, name: string): boolean {
  const scope = parseScope(name) as ParsedScope;
  return (pattern.resource === '*' || pattern.resource === scope.resource) && (pattern.action === '*' || pattern.action === scope.action);
}

/** Problems for every entry of a list; empty when all are valid. */
export function checkScopes(list: readonly string[]): ScopeProblem[] {
  const problems: ScopeProblem[] = [];
  list.forEach((scope, index) => {
    const problem = checkScope(scope);
    if (problem) problems.push({ index, scope, ...problem });
  });
  return problems;
}

/**
 * Dangerous scopes that a wildcard in the list looks like it was meant to grant but does not
 * (e.g. `*:write` next to credentials:write). Used for warnings, not errors: the expansion rules
 * are already safe.
 */
export function dangerousScopesMissedByWildcards(list: readonly string[]): Array<{ index: number; pattern: string; missed: string[] }> {
  const out: Array<{ index: number; pattern: string; missed: string[] }> = [];
  list.forEach((pattern, index) => {
    const parsed = parseScope(pattern);
    if (!parsed || !isPattern(pattern)) return;
    const missed = SCOPE_NAMES.filter((name) => isDangerousScope(name) && matchesIgnoringDanger(parsed, name) && !expandPattern(pattern).includes(name));
    if (missed.length > 0) out.push({ index, pattern, missed });
  });
  return out;
}

/** Canonical form of a stored list: sorted and de-duplicated, exactly as given otherwise. */
export function normalizeScopeList(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

/** Every catalog scope the patterns grant, sorted. Invalid entries grant nothing. */
export function expandScopes(patterns: Iterable<string>): string[] {
  const granted = new Set<string>();
  for (const pattern of patterns) for (const name of expandPattern(pattern)) granted.add(name);
  return [...granted].sort();
}

export function presetScopes(preset: string): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(PRESETS, preset) ? PRESETS[preset]!.scopes : undefined;
}

/** The concrete scopes a key holds: its preset's scopes plus its own patterns, expanded. */
export function grantedScopes(preset: string | null | undefined, patterns: readonly string[] | null | undefined): string[] {
  return expandScopes([...(preset ? (presetScopes(preset) ?? []) : []), ...(patterns ?? [])]);
}

const ceilingCache = new Map<Role, readonly string[]>();

export function roleCeiling(role: Role): string[] {
  let ceiling = ceilingCache.get(role);
  if (!ceiling) {
    ceiling = expandScopes(ROLE_CEILING_PATTERNS[role]);
    ceilingCache.set(role, ceiling);
  }
  return [...ceiling];
}

export function intersectScopes(a: Iterable<string>, b: Iterable<string>): string[] {
  const right = new Set(b);
  return [...new Set(a)].filter((scope) => right.has(scope)).sort();
}

/** Members of `wanted` that `allowed` does not contain (empty when wanted ⊆ allowed). */
export function scopesBeyond(wanted: Iterable<string>, allowed: Iterable<string>): string[] {
  const permitted = new Set(allowed);
  return [...new Set(wanted)].filter((scope) => !permitted.has(scope)).sort();
}

export function isSubsetOf(wanted: Iterable<string>, allowed: Iterable<string>): boolean {
  return scopesBeyond(wanted, allowed).length === 0;
}
