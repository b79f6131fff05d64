/**
 * Principals (users and service accounts) and team membership (docs/guides/api.md,
 * "Principals"): nobody creates, promotes to, changes or deletes a role above their own, the last
 * owner stays, a deleted principal loses its memberships (its keys answer 401). The pure rules
 * are in domain/principal-rules.ts; this applies them to what storage holds now.
 */
import { newId, type PrincipalCreate, type PrincipalUpdate, type Role } from '@managed-dev/contract';
import type { Caller } from '../domain/authorization';
import { notFound } from '../domain/errors';
import { lastOwner, principalChangeRefusals, removesLastOwner, roleNotAllowed } from '../domain/principal-rules';
import type { Db } from '../storage/database';
import type { Principal, PrincipalRepository } from '../storage/principal-repository';
import type { Team, TreeRepository } from '../storage/tree-repository';

export class PrincipalService {
  constructor(
    private readonly db: Db,
    private readonly principals: PrincipalRepository,
    private readonly tree: TreeRepository,
  ) {}

  /** The role of the principal making the request, read now (it may have changed since the key was minted). */
  private actorRole(caller: Caller): Role {
    const actor = this.principals.findById(caller.principalId);
    if (!actor || actor.deletedAt !== null) throw notFound();
    return actor.role;
  }

  create(caller: Caller, body: PrincipalCreate, now: Date): Principal {
    const refusals = principalChangeRefusals({ actorRole: this.actorRole(caller), newRole: body.role });
    if (refusals.length > 0) throw roleNotAllowed(refusals);
    const id = newId('principal');
    this.principals.insert({ id, accountId: caller.accountId, name: body.name, kind: body.kind, role: body.role, createdAt: now.getTime() });
    return this.principals.findById(id)!;
  }

  /** Returns the principal as it now is and what changed, for the audit entry. */
  update(caller: Caller, target: Principal, body: PrincipalUpdate): { principal: Principal; changes: string[] } {
    const refusals = principalChangeRefusals({
      actorRole: this.actorRole(caller),
      currentRole: target.role,
      ...(body.role !== undefined ? { newRole: body.role } : {}),
    });
    if (refusals.length > 0) throw roleNotAllowed(refusals);
    // IMMEDIATE: two demotions racing must not both see a second owner.
    this.db
      .transaction(() => {
        if (body.role !== undefined && removesLastOwner(target.role, body.role, this.principals.countLiveOwners(target.accountId))) throw lastOwner();
        this.principals.update(target.id, body);
      })
      .immediate();
    const changes = [
      ...(body.name !== undefined && body.name !== target.name ? [`name "${target.name}" → "${body.name}"`] : []),
      ...(body.role !== undefined && body.role !== target.role ? [`role ${target.role} → ${body.role}`] : []),
    ];
    return { principal: this.principals.findById(target.id)!, changes };
  }

  delete(caller: Caller, target: Principal, now: Date): void {
    const refusals = principalChangeRefusals({ actorRole: this.actorRole(caller), currentRole: target.role });
    if (refusals.length > 0) throw roleNotAllowed(refusals);
    this.db
      .transaction(() => {
        if (removesLastOwner(target.role, null, this.principals.countLiveOwners(target.accountId))) throw lastOwner();
        this.principals.softDelete(target.id, now.getTime());
        this.tree.removeAllMemberships(target.id);
      })
      .immediate();
  }

  /** Idempotent; another account's principal (or a deleted one) reads exactly like a missing one. */
  addMember(team: Team, principalId: string, now: Date): { principal: Principal; added: boolean } {
    const principal = this.principals.findById(principalId);
    if (!principal || principal.deletedAt !== null || principal.accountId !== team.accountId) throw notFound();
    return { principal, added: this.tree.addMember(team.id, principal.id, now.getTime()) };
  }

  /** Idempotent; a deleted principal of the account can still be removed. */
  removeMember(team: Team, principalId: string): { principal: Principal; removed: boolean } {
    const principal = this.principals.findById(principalId);
    if (!principal || principal.accountId !== team.accountId) throw notFound();
    return { principal, removed: this.tree.removeMember(team.id, principal.id) };
  }
}
