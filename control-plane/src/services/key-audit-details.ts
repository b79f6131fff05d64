/**
 * What a key change's audit entry says happened (docs/guides/api.md#audit): the scopes and constraint granted at
 * mint, the fields a PATCH changed (with the new scopes), the grace period of a rotation. A reader
 * of the log learns what changed without a second source; secrets never appear (the chain also
 * redacts anything shaped like one).
 */
import type { KeyRecord } from '../domain/key-rules';
import type { KeyCreateInput, KeyRotateInput, KeyUpdateInput } from './key-service';

const list = (values: readonly string[]) => (values.length > 0 ? values.join(' ') : 'none');

function constraintText(record: KeyRecord): string {
  const constraint = record.constraint as Record<string, string> | null;
  if (!constraint) return 'unconstrained';
  const [kind, id] = Object.entries(constraint)[0]!;
  return `constraint ${kind.replace(/_id$/, '')} ${id}`;
}

export function keyCreatedDetail(record: KeyRecord, input: KeyCreateInput): string {
  return [
    `granted ${list(record.effective_scopes)}`,
    ...(record.preset ? [`preset ${record.preset}`] : []),
    ...(record.scopes.length > 0 ? [`scopes ${list(record.scopes)}`] : []),
    constraintText(record),
    `ip_allowlist ${list(record.ip_allowlist)}`,
    `ttl ${record.ttl}`,
    ...(record.ephemeral ? ['ephemeral'] : []),
    ...(input.principal_id !== undefined ? [`owned by ${record.principal_id}`] : []),
  ].join('; ');
}

export function keyUpdatedDetail(record: KeyRecord, input: KeyUpdateInput): string {
  const changed = Object.keys(input).sort();
  if (changed.length === 0) return 'no fields changed';
  const parts = [`changed ${changed.join(', ')}`];
  if (input.preset !== undefined || input.scopes !== undefined) parts.push(`now grants ${list(record.effective_scopes)}`);
  if (input.ip_allowlist !== undefined) parts.push(`ip_allowlist ${list(record.ip_allowlist)}`);
  return parts.join('; ');
}

export function keyRotatedDetail(input: KeyRotateInput): string {
  const grace = input.grace_period ?? '0';
  return grace === '0' ? 'new secret; the previous secret stopped working at once' : `new secret; the previous secret works for ${grace} more`;
}

export function keyRevokedDetail(record: KeyRecord): string {
  return `revoked (first revoked at ${record.revoked_at ?? 'now'})`;
}
