/**
 * Plan-time checks of a `managed_api_key` configuration (docs/guides/decisions.md#terraform-provider), as pure functions over the
 * configuration's known parts. The rules themselves live in control-plane/src/domain (scopes,
 * ttl, cidr): the provider asks the same functions the API uses, so `terraform plan` and the
 * API can never disagree about what is valid.
 *
 * Values are read as: `undefined` = not known yet (computed from another resource), `null` = not
 * set. Unknown values are skipped; Terraform validates again once they are known.
 */
import { distance } from 'fastest-levenshtein';
import {
  checkAllowlist,
  checkScopes,
  dangerousScopesMissedByWildcards,
  DEFAULT_TTL,
  grantedScopes,
  parseDuration,
  parseGracePeriod,
  parseTtl,
  PRESET_NAMES,
  presetScopes,
  type TtlKind,
} from '@managed-dev/contract';

export type Unknown = undefined;
/** A set of strings whose elements may individually be unknown. */
export type StringSetView = ReadonlyArray<string | Unknown> | null | Unknown;

export interface ApiKeyConfigView {
  readonly name: string | null | Unknown;
  readonly preset: string | null | Unknown;
  readonly scopes: StringSetView;
  readonly team_id: string | null | Unknown;
  readonly project_id: string | null | Unknown;
  readonly site_id: string | null | Unknown;
  readonly ip_allowlist: StringSetView;
  readonly ttl: string | null | Unknown;
  /** Resource only (the ephemeral resource has no rotation). */
  readonly rotation_grace_period?: string | null | Unknown;
  readonly rotate_before_expiry?: string | null | Unknown;
}

export interface ConfigProblem {
  readonly severity: 'error' | 'warning';
  /** Top-level attribute the problem is about; Terraform points at its line. */
  readonly attribute: string;
  readonly summary: string;
  readonly detail: string;
}

export const CONSTRAINT_ATTRIBUTES = ['team_id', 'project_id', 'site_id'] as const;
export type ConstraintAttribute = (typeof CONSTRAINT_ATTRIBUTES)[number];
const ID_PREFIX: Record<ConstraintAttribute, string> = { team_id: 'team_', project_id: 'proj_', site_id: 'site_' };
/** The id shape the key API accepts (schema/key-create.schema.json). */
const ID_BODY = /^[0-9A-Za-z]{1,64}$/;

function knownElements(set: StringSetView): string[] {
  return (set ?? []).filter((element): element is string => element !== undefined);
}

export function suggestPreset(text: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of PRESET_NAMES) {
    const d = distance(text, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(text.length / 2)) ? best : undefined;
}

export function checkPreset(preset: string | null | Unknown): ConfigProblem[] {
  if (preset === undefined || preset === null || presetScopes(preset) !== undefined) return [];
  const suggestion = suggestPreset(preset);
  return [
    {
      severity: 'error',
      attribute: 'preset',
      summary: 'Unknown preset',
      detail: `There is no preset named "${preset}"${suggestion ? `; did you mean "${suggestion}"?` : '.'}` + ` Presets: ${PRESET_NAMES.join(', ')}.`,
    },
  ];
}

export function checkScopeSet(scopes: StringSetView, preset: string | null | Unknown): ConfigProblem[] {
  const list = knownElements(scopes);
  const problems: ConfigProblem[] = [];
  const onlyDangerous = new Set(dangerousScopesMissedByWildcards(list).map((miss) => miss.index));
  for (const problem of checkScopes(list)) {
    if (onlyDangerous.has(problem.index)) {
      problems.push({
        severity: 'error',
        attribute: 'scopes',
        summary: 'Dangerous scope requested through a wildcard',
        detail:
          `${problem.message}. Wildcards never grant keys:write, credentials:* or exec:raw; ` +
          'write the dangerous scope out exactly (for example "exec:raw") if this key really needs it.',
      });
    } else {
      problems.push({
        severity: 'error',
        attribute: 'scopes',
        summary: problem.suggestion ? 'Unknown scope' : 'Invalid scope',
        detail: problem.suggestion && !problem.message.includes('did you mean') ? `${problem.message}; did you mean "${problem.suggestion}"?` : problem.message,
      });
    }
  }
  // A valid wildcard that also looks like it reaches dangerous scopes ("*:write" next to keys:write) is
  // not an error, since it is the only way to say "every ordinary write", but the user must learn at plan time
  // that the dangerous ones are withheld, not at 3 a.m. from a 403.
  const invalid = new Set(checkScopes(list).map((problem) => problem.index));
  const granted = new Set(preset === undefined ? [] : grantedScopes(preset, list));
  for (const miss of dangerousScopesMissedByWildcards(list)) {
    if (invalid.has(miss.index)) continue;
    const withheld = miss.missed.filter((scope) => !granted.has(scope));
    if (withheld.length === 0) continue;
    problems.push({
      severity: 'warning',
      attribute: 'scopes',
      summary: 'Wildcard does not grant dangerous scopes',
      detail:
        `"${miss.pattern}" does not grant ${withheld.join(', ')}: wildcards never grant a dangerous scope. ` +
        'Name it exactly if this key needs it; otherwise nothing needs to change.',
    });
  }
  return problems;
}

export function checkScopesOrPreset(scopes: StringSetView, preset: string | null | Unknown): ConfigProblem[] {
  if (preset === undefined || scopes === undefined || preset !== null) return [];
  if (scopes === null || scopes.length === 0) {
    return [
      {
        severity: 'error',
        attribute: 'scopes',
        summary: 'No scopes',
        detail: 'A key needs a preset, scopes, or both: set `preset` (for example "read-only") or list `scopes`.',
      },
    ];
  }
  return [];
}

/** Each constraint id has its kind's shape. "At most one constraint" is a schema declaration (schemas.ts). */
export function checkConstraint(config: Pick<ApiKeyConfigView, ConstraintAttribute>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const attribute of CONSTRAINT_ATTRIBUTES) {
    const value = config[attribute];
    if (typeof value !== 'string') continue;
    const prefix = ID_PREFIX[attribute];
    if (!value.startsWith(prefix) || !ID_BODY.test(value.slice(prefix.length))) {
      problems.push({
        severity: 'error',
        attribute,
        summary: `Invalid ${attribute}`,
        detail: `"${value}" is not a ${attribute.replace('_id', '')} id: ids of this kind look like "${prefix}…".`,
      });
    }
  }
  return problems;
}

export function checkIpAllowlist(allowlist: StringSetView): ConfigProblem[] {
  return checkAllowlist(knownElements(allowlist)).map((problem) => ({
    severity: 'error',
    attribute: 'ip_allowlist',
    summary: problem.message.startsWith('at most') ? 'Too many CIDRs' : 'Invalid CIDR',
    detail: problem.message,
  }));
}

const TTL_RANGE: Record<TtlKind, string> = {
  standard: 'A key lives at least 1h and at most 365d; the default is 90d.',
  ephemeral: 'An ephemeral key lives at least 5m and at most 24h; the default is 1h.',
};

export function checkTtl(ttl: string | null | Unknown, kind: TtlKind = 'standard'): ConfigProblem[] {
  if (ttl === undefined || ttl === null) return [];
  const parsed = parseTtl(ttl, kind);
  if (parsed.ok) return [];
  const outOfRange = /shorter|longer/.test(parsed.message);
  return [
    {
      severity: 'error',
      attribute: 'ttl',
      summary: outOfRange ? 'TTL out of range' : 'Invalid TTL',
      detail: `${parsed.message}. ${TTL_RANGE[kind]}`,
    },
  ];
}

/** rotation_grace_period: "0" up to "7d". */
export function checkGracePeriod(gracePeriod: string): ConfigProblem[] {
  const grace = parseGracePeriod(gracePeriod);
  return grace.ok
    ? []
    : [
        {
          severity: 'error',
          attribute: 'rotation_grace_period',
          summary: 'Invalid rotation grace period',
          detail: `${grace.message}. It may be "0" up to "7d".`,
        },
      ];
}

/** rotate_before_expiry: a duration shorter than the ttl (else every plan would rotate: a fresh lifetime would already lie inside the window). */
export function checkRotation(config: Pick<ApiKeyConfigView, 'ttl' | 'rotate_before_expiry'>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (typeof config.rotate_before_expiry === 'string') {
    const window = parseDuration(config.rotate_before_expiry);
    const ttlText = config.ttl === null ? DEFAULT_TTL : config.ttl;
    const ttl = typeof ttlText === 'string' ? parseTtl(ttlText) : undefined;
    if (!window.ok) {
      problems.push({ severity: 'error', attribute: 'rotate_before_expiry', summary: 'Invalid rotate_before_expiry', detail: `${window.message}.` });
    } else if (ttl?.ok && window.milliseconds >= ttl.milliseconds) {
      problems.push({
        severity: 'error',
        attribute: 'rotate_before_expiry',
        summary: 'rotate_before_expiry not shorter than ttl',
        detail:
          `rotate_before_expiry "${config.rotate_before_expiry}" is not shorter than the key's ttl "${ttlText}": every plan would rotate the key. ` +
          'Choose a window shorter than the lifetime, e.g. a tenth of it.',
      });
    }
  }
  return problems;
}

export function checkName(name: string | null | Unknown): ConfigProblem[] {
  if (typeof name === 'string' && name.trim().length === 0) {
    return [{ severity: 'error', attribute: 'name', summary: 'Empty name', detail: 'name must not be empty or blank.' }];
  }
  return [];
}

/**
 * Every cross-attribute problem with a `managed_api_key` configuration (resource or ephemeral
 * resource), errors and warnings, in attribute order. Single-attribute rules (ttl, grace period)
 * and "at most one constraint" are declared on the schema (schemas.ts) and run by the framework.
 */
export function validateApiKeyConfig(config: ApiKeyConfigView): ConfigProblem[] {
  return [
    ...checkName(config.name),
    ...checkPreset(config.preset),
    ...checkScopeSet(config.scopes, config.preset),
    ...checkScopesOrPreset(config.scopes, config.preset),
    ...checkConstraint(config),
    ...checkIpAllowlist(config.ip_allowlist),
    ...checkRotation(config),
  ];
}
