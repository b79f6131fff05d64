/**
 * Acting on a key is minting it again (docs/guides/scopes.md, docs/guides/api.md#keys). Rotating a key hands out a working secret
 * with that key's power, revoking it takes that power away from its holder, and a PATCH (an IP
 * allowlist, a name) changes how that power may be used; so each of them needs what minting the
 * key as stored would need: its scopes, its constraint and its owning principal must all be
 * within what the calling key may grant. Pure; the same three rules POST /v1/keys applies
 * (minting.ts for scopes, down-scoping.ts for the constraint, `ownerRefusals` for the principal).
 *
 * The scopes judged are the key's STORED grant (preset and scopes expanded), not its power today
 * cut by its owner's current role: a demoted owner can be promoted again, and a secret handed out
 * while it was demoted would then carry the stored grant in full. So the caller must be able to
 * grant everything stored: its role ceiling ∩ its key's scopes. The owner's current role does not
 * enter (it only limits what a new key may hold), so an owner or admin whose key holds the stored
 * grant can still revoke or rotate a demoted owner's key.
 */
import { ApiError } from './errors';
import type { FieldError } from './errors';
import { ConstraintOffender, constraintOffenders } from './down-scoping';
import { ROLE_RANK } from './minting';
import { grantedScopes, intersectScopes, roleCeiling, scopesBeyond, type Role } from '@managed-dev/contract';
import type { KeyConstraint, PrincipalReach, TargetAncestry } from './visibility';

export type PrincipalKind = 'user' | 'service';

/** The principal a key belongs to (or would belong to), as far as minting cares. */
export interface KeyOwner {
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly role: Role;
}

/** Who is acting: the calling key and its principal. */
export interface KeyActor {
  readonly principalId: string;
  readonly reach: PrincipalReach;
  /** The concrete scopes of the calling key (already expanded). */
  readonly keyScopes: readonly string[];
  readonly constraint: KeyConstraint | null;
}

/** The key acted on, as stored. */
export interface ExistingKey {
  readonly preset: string | null;
  readonly scopes: readonly string[];
  readonly constraint: KeyConstraint | null;
  /** Where its constraint's node sits (deleted nodes included), or null when unconstrained or unknown. */
  readonly constraintTarget: TargetAncestry | null;
  readonly owner: KeyOwner;
}

/**
 * Why `minter` may not mint a key owned by `owner` (empty when it may): a key is the minter's own,
 * or belongs to a service account whose role is not above the minter's, minted by an owner or admin.
 */
export function ownerRefusals(minter: { readonly id: string; readonly role: Role }, owner: KeyOwner): string[] {
  if (owner.id === minter.id) return [];
  const refusals: string[] = [];
  if (ROLE_RANK[minter.role] < ROLE_RANK.admin) refusals.push('only owners and admins may mint keys for another principal');
  if (owner.kind !== 'service') refusals.push('keys can be minted for service accounts only, not for other users');
  if (ROLE_RANK[owner.role] > ROLE_RANK[minter.role]) refusals.push(`the principal's role (${owner.role}) is above yours (${minter.role})`);
  return refusals;
}

/** Everything a key was granted: its preset and patterns expanded, whatever its owner's role is today. */
export function storedGrant(key: Pick<ExistingKey, 'preset' | 'scopes'>): string[] {
  return grantedScopes(key.preset, key.scopes);
}

/** What the actor could grant to any key: its role ceiling ∩ its key's scopes. */
function actorGrantable(actor: KeyActor): string[] {
  return intersectScopes(roleCeiling(actor.reach.role), actor.keyScopes);
}

export interface KeyAuthorityVerdict {
  /** Scopes the key grants that the actor could not grant. */
  readonly scopes: readonly string[];
  /** Why the actor could not mint a key for the key's owner. */
  readonly principal: readonly string[];
  /** The key's constraint is not within what the actor reaches. */
  readonly constraint: readonly ConstraintOffender[];
}

/** What stops `actor` from minting `key` as stored; every list empty means it may act on it. */
export function keyAuthority(actor: KeyActor, key: ExistingKey): KeyAuthorityVerdict {
  return {
    scopes: scopesBeyond(storedGrant(key), actorGrantable(actor)),
    principal: ownerRefusals({ id: actor.principalId, role: actor.reach.role }, key.owner),
    constraint: constraintOffenders({
      minter: actor.reach,
      minterConstraint: actor.constraint,
      requested: key.constraint,
      requestedTarget: key.constraint ? key.constraintTarget : null,
    }),
  };
}

export function mayActOnKey(actor: KeyActor, key: ExistingKey): boolean {
  const verdict = keyAuthority(actor, key);
  return verdict.scopes.length === 0 && verdict.principal.length === 0 && verdict.constraint.length === 0;
}

/**
 * The 403 for a key the caller can see but could not mint: the same `scope_escalation` POST
 * /v1/keys answers, naming what the key holds beyond the caller. Nothing in the request body
 * asked for it, so the entries carry no pointer; the key is named by the path.
 */
export function keyAuthorityError(verdict: KeyAuthorityVerdict): ApiError {
  const errors: FieldError[] = [
    ...verdict.scopes.map((scope) => ({ detail: `the key grants "${scope}", which the key making this request could not grant` })),
    ...verdict.principal.map((detail) => ({ detail: `the key belongs to another principal: ${detail}` })),
    ...verdict.constraint.map((offender) => ({ detail: `the key's constraint: ${offender.detail}` })),
  ];
  return new ApiError({
    code: 'scope_escalation',
    detail: 'Rotating, renewing, changing or revoking a key needs the authority to mint it: ' + errors.map((error) => error.detail).join('; ') + '.',
    errors,
    extensions: {
      offending_scopes: [...verdict.scopes],
      ...(verdict.principal.length > 0 ? { offending_principal: true } : {}),
      ...(verdict.constraint.length > 0 ? { offending_constraint: verdict.constraint.map(() => '/constraint') } : {}),
    },
  });
}
