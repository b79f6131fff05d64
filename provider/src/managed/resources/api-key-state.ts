/**
 * Pure conversions between `managed_api_key` Terraform values and the key API's bodies.
 *
 * Normalisation rule: what the server stores is the truth, but when it only differs from the
 * prior state in spelling (an empty list for an unset set) the prior spelling is kept, so
 * `terraform plan` never shows a diff that is not a change. The same TTL written another way is
 * declared on the schema (semanticEquals) and kept by the framework.
 */
import { isUnknown, type ObjectValue, type Value } from '../../framework';
import { constraintId, type CreateKeyBody, type KeyConstraint, type KeyRecord, type UpdateKeyBody } from '@managed-dev/contract';
import { CONSTRAINT_ATTRIBUTES, type ApiKeyConfigView, type StringSetView } from '../validation';

export function knownString(value: Value | undefined): string | null | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  return typeof value === 'string' ? value : null;
}

function setView(value: Value | undefined): StringSetView {
  if (value === undefined || isUnknown(value)) return undefined;
  if (value === null) return null;
  return (value as Value[]).map((element) => (typeof element === 'string' ? element : undefined));
}

/** The validation module's view of a (possibly partly unknown) configuration. */
export function configView(config: ObjectValue): ApiKeyConfigView {
  return {
    name: knownString(config.name),
    preset: knownString(config.preset),
    scopes: setView(config.scopes),
    team_id: knownString(config.team_id),
    project_id: knownString(config.project_id),
    site_id: knownString(config.site_id),
    ip_allowlist: setView(config.ip_allowlist),
    ttl: knownString(config.ttl),
    rotation_grace_period: knownString(config.rotation_grace_period),
    rotate_before_expiry: knownString(config.rotate_before_expiry),
  };
}

function stringList(value: Value | undefined): string[] | null {
  return Array.isArray(value) ? (value as string[]).slice().sort() : null;
}

export function constraintOf(planned: ObjectValue): KeyConstraint | undefined {
  if (typeof planned.team_id === 'string') return { team_id: planned.team_id };
  if (typeof planned.project_id === 'string') return { project_id: planned.project_id };
  if (typeof planned.site_id === 'string') return { site_id: planned.site_id };
  return undefined;
}

/** POST /v1/keys body for a planned (wholly known) key. */
export function createBody(planned: ObjectValue): CreateKeyBody {
  const body: CreateKeyBody = { name: planned.name as string };
  if (typeof planned.description === 'string') body.description = planned.description;
  if (typeof planned.preset === 'string') body.preset = planned.preset;
  const scopes = stringList(planned.scopes);
  if (scopes) body.scopes = scopes;
  const constraint = constraintOf(planned);
  if (constraint) body.constraint = constraint;
  const allowlist = stringList(planned.ip_allowlist);
  if (allowlist) body.ip_allowlist = allowlist;
  if (typeof planned.ttl === 'string') body.ttl = planned.ttl;
  return body;
}

function sameStringSet(a: Value | undefined, b: Value | undefined): boolean {
  const left = stringList(a);
  const right = stringList(b);
  if (left === null || right === null) return left === right;
  return left.length === right.length && left.every((item, index) => item === right[index]);
}

/** PATCH body with only what differs between prior and planned; null clears a field. */
export function updateBody(prior: ObjectValue, planned: ObjectValue): UpdateKeyBody {
  const body: UpdateKeyBody = {};
  if (planned.name !== prior.name) body.name = planned.name as string;
  if (planned.description !== prior.description) body.description = (planned.description as string | null) ?? null;
  if (planned.preset !== prior.preset) body.preset = (planned.preset as string | null) ?? null;
  if (!sameStringSet(planned.scopes, prior.scopes)) body.scopes = stringList(planned.scopes) ?? [];
  if (!sameStringSet(planned.ip_allowlist, prior.ip_allowlist)) body.ip_allowlist = stringList(planned.ip_allowlist) ?? [];
  return body;
}

export function scopesOrPresetChanged(prior: ObjectValue, planned: ObjectValue): boolean {
  return planned.preset !== prior.preset || !sameStringSet(planned.scopes, prior.scopes);
}

const MINUTE_MS = 60_000;

/** The TTL a key was minted with, from its record, in the largest exact unit ("90d", "36h", "90m"). */
export function ttlOfRecord(record: Pick<KeyRecord, 'created_at' | 'expires_at'>): string | null {
  const lifetime = Date.parse(record.expires_at) - Date.parse(record.created_at);
  if (!Number.isFinite(lifetime) || lifetime <= 0) return null;
  const minutes = Math.round(lifetime / MINUTE_MS);
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** The server's list, or the prior spelling of "nothing" (null vs []) when the server has none. */
function listKeepingEmptySpelling(list: readonly string[] | null | undefined, prior: Value | undefined): string[] | null {
  if (list && list.length > 0) return [...list].sort();
  return Array.isArray(prior) && prior.length === 0 ? [] : null;
}

function textKeepingEmptySpelling(text: string | null | undefined, prior: Value | undefined): string | null {
  if (text !== null && text !== undefined && text !== '') return text;
  return prior === '' ? '' : null;
}

/**
 * The state for a key record read from the API. `prior` is the state being refreshed (null for
 * a fresh id-only import state) and supplies the secret, which the API never returns after creation.
 */
export function stateFromRecord(record: KeyRecord, prior: ObjectValue | null): ObjectValue {
  // Older control planes sent no ttl; the lifetime is then derived (exact until the first rotation).
  const recordTtl = typeof record.ttl === 'string' ? record.ttl : ttlOfRecord(record);
  return {
    id: record.id,
    name: record.name,
    description: textKeepingEmptySpelling(record.description, prior?.description),
    preset: record.preset ?? null,
    scopes: listKeepingEmptySpelling(record.scopes, prior?.scopes),
    team_id: constraintId(record.constraint, 'team_id'),
    project_id: constraintId(record.constraint, 'project_id'),
    site_id: constraintId(record.constraint, 'site_id'),
    ip_allowlist: listKeepingEmptySpelling(record.ip_allowlist, prior?.ip_allowlist),
    // The server's spelling; the framework keeps the prior one when they mean the same (ttl's semanticEquals).
    ttl: recordTtl ?? knownString(prior?.ttl) ?? null,
    // Rotation settings live only in Terraform: the control plane has no record of them.
    rotation_trigger: knownString(prior?.rotation_trigger) ?? null,
    rotation_grace_period: knownString(prior?.rotation_grace_period) ?? null,
    rotate_before_expiry: knownString(prior?.rotate_before_expiry) ?? null,
    secret: typeof prior?.secret === 'string' ? prior.secret : null,
    effective_scopes: [...record.effective_scopes].sort(),
    expires_at: record.expires_at,
    created_at: record.created_at,
  };
}

/**
 * The state to return from apply: Terraform requires every value known in the plan to come back
 * unchanged, so planned values win and the record fills in what the plan left unknown.
 */
export function stateAfterApply(planned: ObjectValue, fromRecord: ObjectValue): ObjectValue {
  const state: ObjectValue = {};
  for (const [name, value] of Object.entries(fromRecord)) {
    const plannedValue = planned[name];
    state[name] = plannedValue !== undefined && !isUnknown(plannedValue) ? plannedValue : value;
  }
  return state;
}

/** The state an import starts from: every attribute present and null except the id; read fills in the rest. */
export function importedIdOnlyState(id: string): ObjectValue {
  return {
    id,
    name: null,
    description: null,
    preset: null,
    scopes: null,
    ...Object.fromEntries(CONSTRAINT_ATTRIBUTES.map((attribute) => [attribute, null])),
    ip_allowlist: null,
    ttl: null,
    rotation_trigger: null,
    rotation_grace_period: null,
    rotate_before_expiry: null,
    secret: null,
    effective_scopes: null,
    expires_at: null,
    created_at: null,
  };
}
