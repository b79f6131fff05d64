/**
 * Rules on key request bodies that JSON Schema cannot express well (SPEC §3, §4): scope validity
 * with suggestions, preset names, TTL bounds, canonical CIDRs, grace periods. Each problem points
 * at the offending place in the body (`/scopes/2`, `/ttl`, ...). Pure.
 */
import { closest, distance } from 'fastest-levenshtein';
import { checkAllowlist, checkScopes, parseTtl, PRESET_NAMES, presetScopes } from '@managed-dev/contract';
import type { FieldError } from './errors';
import { MAX_GRACE_PERIOD_MS } from './key-rules';

export interface KeyScopeFields {
  readonly preset?: string | null;
  readonly scopes?: readonly string[];
  readonly ip_allowlist?: readonly string[];
  readonly ttl?: string;
  /** Ephemeral keys take the short lifetimes (5m–24h). */
  readonly ephemeral?: boolean;
}

export function checkPreset(preset: string): string | null {
  if (presetScopes(preset)) return null;
  const nearest = closest(preset, [...PRESET_NAMES]);
  const hint = distance(preset, nearest) <= Math.max(2, Math.floor(preset.length / 2)) ? `; did you mean "${nearest}"?` : '';
  return `unknown preset "${preset}"${hint} (presets: ${PRESET_NAMES.join(', ')})`;
}

export function checkKeyFields(fields: KeyScopeFields): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof fields.preset === 'string') {
    const problem = checkPreset(fields.preset);
    if (problem) errors.push({ pointer: '/preset', detail: problem });
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

const DURATION_GRAMMAR = /^(?:0|(?:\d{1,6}[smhd])+)$/;
const DURATION_UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type GraceResult = { ok: true; milliseconds: number } | { ok: false; message: string };

/** A duration "0" or a sum of parts with units s, m, h, d ("90s", "1d12h"). */
export function parseDuration(text: string): GraceResult {
  if (!DURATION_GRAMMAR.test(text)) {
    return { ok: false, message: `"${text}" is not a duration: use "0" or a number followed by s, m, h or d, such as "1h" or "7d"` };
  }
  let milliseconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d{1,6})([smhd])/g)) milliseconds += Number(amount) * DURATION_UNIT_MS[unit!]!;
  return { ok: true, milliseconds };
}

/** Rotation grace period: "0" (default: the old secret stops at once) up to "7d"; units s, m, h, d. */
export function parseGracePeriod(text: string): GraceResult {
  const parsed = parseDuration(text);
  if (parsed.ok && parsed.milliseconds > MAX_GRACE_PERIOD_MS) return { ok: false, message: `grace period "${text}" is longer than the maximum of 7d` };
  return parsed;
}
