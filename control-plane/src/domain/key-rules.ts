/**
 * Pure rules about keys: status derivation, the public record shape (docs/guides/api.md#endpoints), rotation grace.
 */
import type { KeyConstraint } from './authorization';
import { effectiveScopes } from './authorization';
import { grantedScopes, type KeyRecord, type KeyStatus, type Role } from '@managed-dev/contract';

export { KEY_STATUSES } from '@managed-dev/contract';

export type { KeyRecord, KeyStatus };

export { MAX_GRACE_PERIOD_MS } from '@managed-dev/contract';

/** The facts status depends on. Revoked wins over expired: revocation is the stronger statement. */
export function keyStatus(key: { revokedAt: number | null; expiresAt: number }, now: number): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  return key.expiresAt <= now ? 'expired' : 'active';
}

/**
 * What the rules know about a key: the source of the record's fields. Times are epoch
 * milliseconds. Storage adds its bookkeeping on top (StoredKey in storage/key-repository.ts).
 */
export interface KeyFacts {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly preset: string | null;
  /** Exactly as given by the client, sorted and de-duplicated. */
  readonly scopes: readonly string[];
  readonly constraint: KeyConstraint | null;
  readonly ipAllowlist: readonly string[];
  readonly principalId: string;
  /** The TTL as the client wrote it ("90d"); expiresAt is mint (or last rotation/renewal) time + ttl. */
  readonly ttl: string;
  readonly ephemeral: boolean;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
  readonly lastUsedIp: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * `effective_scopes` = what the key would grant on a request now: its preset and patterns
 * expanded, cut down to its principal's current role ceiling (empty once the principal is gone).
 */
export function keyRecord(key: KeyFacts, principalRole: Role | null, now: number): KeyRecord {
  const granted = grantedScopes(key.preset, key.scopes);
  return {
    id: key.id,
    name: key.name,
    description: key.description,
    preset: key.preset,
    scopes: [...key.scopes],
    effective_scopes: principalRole ? effectiveScopes(granted, principalRole) : [],
    constraint: key.constraint ? { ...key.constraint } : null,
    ip_allowlist: [...key.ipAllowlist],
    ttl: key.ttl,
    ephemeral: key.ephemeral,
    status: keyStatus(key, now),
    principal_id: key.principalId,
    created_by: key.createdBy,
    created_at: iso(key.createdAt)!,
    expires_at: iso(key.expiresAt)!,
    revoked_at: iso(key.revokedAt),
    last_used_at: iso(key.lastUsedAt),
    last_used_ip: key.lastUsedIp,
  };
}
