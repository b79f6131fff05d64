/**
 * Down-scoping at mint and update time (docs/guides/scopes.md): a key never grants more than the principal who
 * mints it may hold, nor more than the key used to mint it, nor more than the role of the
 * principal who will own it. Offenders are reported one by one, pointing at the body entry that
 * asked for them. Pure.
 */
import { ApiError } from './errors';
import { expandPattern, grantedScopes, intersectScopes, presetScopes, roleCeiling, type Role } from '@managed-dev/contract';
import type { FieldError } from './errors';

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export interface Minter {
  readonly role: Role;
  /** The concrete scopes of the key making the request (already expanded). */
  readonly keyScopes: readonly string[];
}

/** What the new key may hold: minter's role ceiling ∩ minting key's scopes ∩ owner's role ceiling. */
export function grantableScopes(minter: Minter, ownerRole: Role): string[] {
  return intersectScopes(intersectScopes(roleCeiling(minter.role), minter.keyScopes), roleCeiling(ownerRole));
}

export interface Offender {
  readonly scope: string;
  readonly pointer: string;
}

/** Each concrete scope the request would grant beyond `grantable`, with where it was asked for. */
export function offendingScopes(preset: string | null | undefined, scopes: readonly string[] | undefined, grantable: readonly string[]): Offender[] {
  const allowed = new Set(grantable);
  const wanted = grantedScopes(preset, scopes);
  const offenders: Offender[] = [];
  for (const scope of wanted) {
    if (allowed.has(scope)) continue;
    const index = (scopes ?? []).findIndex((entry) => expandPattern(entry).includes(scope));
    const fromPreset = preset ? (presetScopes(preset) ?? []).includes(scope) : false;
    offenders.push({ scope, pointer: index >= 0 ? `/scopes/${index}` : fromPreset ? '/preset' : '/scopes' });
  }
  return offenders;
}

export function scopeEscalation(offenders: readonly Offender[]): ApiError {
  const names = offenders.map((o) => o.scope);
  const errors: FieldError[] = offenders.map((o) => ({
    pointer: o.pointer,
    detail: `"${o.scope}" is beyond what the minting key and principal may grant`,
  }));
  return new ApiError({
    code: 'scope_escalation',
    detail: `A key cannot grant more than its minter holds. Not grantable: ${names.join(', ')}.`,
    errors,
    extensions: { offending_scopes: names },
  });
}
