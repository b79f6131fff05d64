/**
 * Rules on key request bodies that JSON Schema cannot express well (docs/guides/scopes.md, docs/guides/api.md#keys): scope validity
 * with suggestions, preset names, TTL bounds, canonical CIDRs, grace periods. Each problem points
 * at the offending place in the body (`/scopes/2`, `/ttl`, ...). Pure.
 */
import { checkAllowlist, checkScopes, nearestName, parseTtl, PRESET_NAMES, presetScopes } from '@managed-dev/contract';
import type { FieldError } from './errors';

export interface KeyScopeFields {
  readonly preset?: string | null;
  readonly scopes?: readonly string[];
  readonly ip_allowlist?: readonly string[];
  readonly ttl?: string;
  /** Ephemeral keys take the short lifetimes (5m–24h). */
  readonly ephemeral?: boolean;
}

export function checkPreset(preset: string): { message: string; suggestion?: string } | null {
  if (presetScopes(preset)) return null;
  const nearest = nearestName(preset, PRESET_NAMES);
  return {
    message: `unknown preset "${preset}"${nearest ? `; did you mean "${nearest}"?` : ''} (presets: ${PRESET_NAMES.join(', ')})`,
    ...(nearest ? { suggestion: nearest } : {}),
  };
}

export function checkKeyFields(fields: KeyScopeFields): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof fields.preset === 'string') {
    const problem = checkPreset(fields.preset);
    if (problem) errors.push({ pointer: '/preset', detail: problem.message, ...(problem.suggestion ? { suggestion: problem.suggestion } : {}) });
  }
  for (const problem of checkScopes(fields.scopes ?? [])) {
    errors.push({ pointer: `/scopes/${problem.index}`, detail: problem.message, ...(problem.suggestion ? { suggestion: problem.suggestion } : {}) });
  }
  if (fields.ttl !== undefined) {
    const ttl = parseTtl(fields.ttl, fields.ephemeral ? 'ephemeral' : 'standard');
    if (!ttl.ok) errors.push({ pointer: '/ttl', detail: ttl.message });
  }
  for (const problem of checkAllowlist(fields.ip_allowlist ?? [])) {
    errors.push({ pointer: `/ip_allowlist/${problem.index}`, detail: problem.message, ...(problem.suggestion ? { suggestion: problem.suggestion } : {}) });
  }
  return errors;
}

/** A key must grant something: a preset, or at least one scope. */
export function checkGrantsSomething(preset: string | null | undefined, scopes: readonly string[] | undefined): FieldError | null {
  if (preset || (scopes && scopes.length > 0)) return null;
  return { pointer: '/scopes', detail: 'a key needs a preset or at least one scope' };
}

// Durations (grace period, rotation window) are shared with the provider and the bindings.
export { parseDuration, parseGracePeriod, type DurationResult as GraceResult } from '@managed-dev/contract';
