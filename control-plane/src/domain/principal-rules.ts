/**
 * Who may create, change and delete principals (docs/guides/api.md#domain, docs/guides/scopes.md). Pure.
 *
 * Roles are ordered viewer < member < admin < owner. Nobody hands out a role above their own or
 * touches a principal ranked above them, so members:write cannot be used to climb; and the last
 * owner of an account can be neither demoted nor deleted, so an account is never ownerless.
 */
import { ApiError, FieldError, conflict } from './errors';
import { ROLE_RANK } from './minting';
import type { Role } from '@managed-dev/contract';

export interface PrincipalChange {
  readonly actorRole: Role;
  /** The principal's current role; absent when creating. */
  readonly currentRole?: Role;
  /** The role asked for; absent when it does not change (or on delete). */
  readonly newRole?: Role;
}

export function principalChangeRefusals(change: PrincipalChange): FieldError[] {
  const refusals: FieldError[] = [];
  if (change.currentRole !== undefined && ROLE_RANK[change.currentRole] > ROLE_RANK[change.actorRole]) {
    refusals.push({ pointer: '', detail: `the principal's role "${change.currentRole}" is above yours ("${change.actorRole}")` });
  }
  if (change.newRole !== undefined && ROLE_RANK[change.newRole] > ROLE_RANK[change.actorRole]) {
    refusals.push({ pointer: '/role', detail: `the role "${change.newRole}" is above yours ("${change.actorRole}")` });
  }
  return refusals;
}

export function roleNotAllowed(refusals: readonly FieldError[]): ApiError {
  return new ApiError({
    code: 'role_not_allowed',
    detail: refusals.map((r) => r.detail).join('; '),
    errors: refusals,
  });
}

/** True when the change would leave the account without a live owner. */
export function removesLastOwner(currentRole: Role, newRole: Role | null, liveOwners: number): boolean {
  return currentRole === 'owner' && newRole !== 'owner' && liveOwners <= 1;
}

export function lastOwner(): ApiError {
  return conflict('last_owner', 'The account must keep at least one owner; promote another principal to owner first.');
}
