/**
 * Key lifetimes (docs/guides/api.md#keys): a duration string such as "90d", "720h" or "30m", or a sum of such
 * parts ("1d12h"). Default 90 days, at least 1 hour, at most 365 days. Ephemeral keys (minted
 * for one Terraform run by `ephemeral "managed_api_key"`) live 5 minutes to 24 hours instead,
 * default 1 hour. Pure.
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

export const DEFAULT_TTL = '90d';
export const MIN_TTL_MS = HOUR_MS;
export const MAX_TTL_MS = 365 * DAY_MS;
export const DEFAULT_EPHEMERAL_TTL = '1h';
export const MIN_EPHEMERAL_TTL_MS = 5 * MINUTE_MS;
export const MAX_EPHEMERAL_TTL_MS = DAY_MS;

/** Which lifetime bounds apply: ordinary keys, or ephemeral keys (short-lived, renewable). */
export type TtlKind = 'standard' | 'ephemeral';

/** What a TTL looks like (its bounds, 1h to 365d, are checked after); also published in OpenAPI. */
export const TTL_GRAMMAR = /^(?:\d{1,6}[mhd])+$/;
const TTL_PART = /(\d{1,6})([mhd])/g;

export type TtlResult = { ok: true; milliseconds: number } | { ok: false; message: string };

export function parseTtl(text: string, kind: TtlKind = 'standard'): TtlResult {
  if (!TTL_GRAMMAR.test(text)) {
    return {
      ok: false,
      message: `"${text}" is not a duration: use a number followed by m, h or d, such as "30m", "720h" or "90d"`,
    };
  }
  let milliseconds = 0;
  for (const [, amount, unit] of text.matchAll(TTL_PART)) milliseconds += Number(amount) * UNIT_MS[unit!]!;
  if (kind === 'ephemeral') {
    if (milliseconds < MIN_EPHEMERAL_TTL_MS) return { ok: false, message: `ttl "${text}" is shorter than the minimum of 5m for an ephemeral key` };
    if (milliseconds > MAX_EPHEMERAL_TTL_MS) return { ok: false, message: `ttl "${text}" is longer than the maximum of 24h for an ephemeral key` };
    return { ok: true, milliseconds };
  }
  if (milliseconds < MIN_TTL_MS) {
    const hint = milliseconds >= MIN_EPHEMERAL_TTL_MS ? ' (lifetimes from 5m are for ephemeral keys only)' : '';
    return { ok: false, message: `ttl "${text}" is shorter than the minimum of 1h${hint}` };
  }
  if (milliseconds > MAX_TTL_MS) return { ok: false, message: `ttl "${text}" is longer than the maximum of 365d` };
  return { ok: true, milliseconds };
}

/** The moment a key minted at `mintedAt` with this TTL expires; throws on an invalid TTL. */
export function expiryFor(mintedAt: Date, ttl: string = DEFAULT_TTL, kind: TtlKind = 'standard'): Date {
  const parsed = parseTtl(ttl, kind);
  if (!parsed.ok) throw new RangeError(parsed.message);
  return new Date(mintedAt.getTime() + parsed.milliseconds);
}

/** Rotation grace periods end at most this long after the rotation. */
export const MAX_GRACE_PERIOD_MS = 7 * DAY_MS;

/** What a duration (grace period, rotation window) looks like; its bounds are checked after. Also published in OpenAPI. */
export const DURATION_GRAMMAR = /^(?:0|(?:\d{1,6}[smhd])+)$/;
const DURATION_UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

export type DurationResult = { ok: true; milliseconds: number } | { ok: false; message: string };

/** A duration "0" or a sum of parts with units s, m, h, d ("90s", "1d12h"): grace periods and rotation windows. */
export function parseDuration(text: string): DurationResult {
  if (!DURATION_GRAMMAR.test(text)) {
    return { ok: false, message: `"${text}" is not a duration: use "0" or a number followed by s, m, h or d, such as "1h" or "7d"` };
  }
  let milliseconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d{1,6})([smhd])/g)) milliseconds += Number(amount) * DURATION_UNIT_MS[unit!]!;
  return { ok: true, milliseconds };
}

/** Rotation grace period: "0" (default: the old secret stops at once) up to "7d"; units s, m, h, d. */
export function parseGracePeriod(text: string): DurationResult {
  const parsed = parseDuration(text);
  if (parsed.ok && parsed.milliseconds > MAX_GRACE_PERIOD_MS) return { ok: false, message: `grace period "${text}" is longer than the maximum of 7d` };
  return parsed;
}
