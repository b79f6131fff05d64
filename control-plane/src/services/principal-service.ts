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
import type { SqlDatabase } from '../storage/sql-database';
import type { Principal, PrincipalRepository } from '../storage/principal-repository';
import type { Team, TreeRepository } from '../storage/tree-repository';

export class PrincipalService {
  constructor(
    private readonly db: SqlDatabase,
    private readonly principals: PrincipalRepository,
    private readonly tree: TreeRepository,
  ) {}

  /** The role of the principal making the request, read now (it may have changed since the key was minted). */
  private async actorRole(caller: Caller): Promise<Role> {
    const actor = await this.principals.findById(caller.principalId);
    if (!actor || actor.deletedAt !== null) throw notFound();
    return actor.role;
  }

  async create(caller: Caller, body: PrincipalCreate, now: Date): Promise<Principal> {
    const refusals = principalChangeRefusals({ actorRole: await this.actorRole(caller), newRole: body.role });
    if (refusals.length > 0) throw roleNotAllowed(refusals);
    const id = newId('principal');
    await this.principals.insert({ id, accountId: caller.accountId, name: body.name, kind: body.kind, role: body.role, createdAt: now.getTime() });
    return (await this.principals.findById(id))!;
  }

  /** Returns the principal as it now is and what changed, for the audit entry. */
  async update(caller: Caller, target: Principal, body: PrincipalUpdate): Promise<{ principal: Principal; changes: string[] }> {
    const refusals = principalChangeRefusals({
      actorRole: await this.actorRole(caller),
      currentRole: target.role,
      ...(body.role !== undefined ? { newRole: body.role } : {}),
    });
    if (refusals.length > 0) throw roleNotAllowed(refusals);
    await this.db.transaction(async () => {
      // Two demotions racing (on any replica) must not both see a second owner.
      await this.db.lock(ownersLock(target.accountId));
      if (body.role !== undefined && removesLastOwner(target.role, body.role, await this.principals.countLiveOwners(target.accountId))) throw lastOwner();
      await this.principals.update(target.id, body);
    });
    const changes = [
      ...(body.name !== undefined && body.name !== target.name ? [`name "${target.name}" → "${body.name}"`] : []),
      ...(body.role !== undefined && body.role !== target.role ? [`role ${target.role} → ${body.role}`] : []),
    ];
    return { principal: (await this.principals.findById(target.id))!, changes };
  }

  async delete(caller: Caller, target: Principal, now: Date): Promise<void> {
    const refusals = principalChangeRefusals({ actorRole: await this.actorRole(caller), currentRole: target.role });
    if (refusals.length > 0) throw roleNotAllowed(refusals);
    await this.db.transaction(async () => {
      await this.db.lock(ownersLock(target.accountId));
      if (removesLastOwner(target.role, null, await this.principals.countLiveOwners(target.accountId))) throw lastOwner();
      await this.principals.softDelete(target.id, now.getTime());
      await this.tree.removeAllMemberships(target.id);
    });
  }

  /** Idempotent; another account's principal (or a deleted one) reads exactly like a missing one. */
  async addMember(team: Team, principalId: string, now: Date): Promise<{ principal: Principal; added: boolean }> {
    const principal = await this.principals.findById(principalId);
    if (!principal || principal.deletedAt !== null || principal.accountId !== team.accountId) throw notFound();
    return { principal, added: await this.tree.addMember(team.id, principal.id, now.getTime()) };
  }

  /** Idempotent; a deleted principal of the account can still be removed. */
  async removeMember(team: Team, principalId: string): Promise<{ principal: Principal; removed: boolean }> {
    const principal = await this.principals.findById(principalId);
    if (!principal || principal.accountId !== team.accountId) throw notFound();
    return { principal, removed: await this.tree.removeMember(team.id, principal.id) };
  }
}

/** Serialises changes to who owns an account, across every process sharing the database. */
function ownersLock(accountId: string): string {
  return `owners:${accountId}`;
}
