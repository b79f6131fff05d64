import type { Role } from '@managed-dev/contract';
import type { Db } from './database';

export type PrincipalKind = 'user' | 'service';

export interface Principal {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly kind: PrincipalKind;
  readonly role: Role;
  readonly createdAt: number;
  readonly deletedAt: number | null;
}

interface PrincipalRow {
  id: string;
  account_id: string;
  name: string;
  kind: PrincipalKind;
  role: Role;
  created_at: number;
  deleted_at: number | null;
}

const toPrincipal = (row: PrincipalRow): Principal => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  kind: row.kind,
  role: row.role,
  createdAt: row.created_at,
  deletedAt: row.deleted_at,
});

export class PrincipalRepository {
  private readonly insertStatement;
  private readonly byIdStatement;
  private readonly updateStatement;
  private readonly softDeleteStatement;
  private readonly liveOwnersStatement;

  constructor(private readonly db: Db) {
    this.insertStatement = db.prepare(
      `INSERT INTO principals (id, account_id, name, kind, role, created_at, deleted_at)
       VALUES (@id, @account_id, @name, @kind, @role, @created_at, NULL)`,
    );
    this.byIdStatement = db.prepare<[string], PrincipalRow>('SELECT * FROM principals WHERE id = ?');
    this.updateStatement = db.prepare('UPDATE principals SET name = coalesce(@name, name), role = coalesce(@role, role) WHERE id = @id AND deleted_at IS NULL');
    this.softDeleteStatement = db.prepare('UPDATE principals SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL');
    this.liveOwnersStatement = db.prepare<[string], { n: number }>(
      "SELECT count(*) AS n FROM principals WHERE account_id = ? AND role = 'owner' AND deleted_at IS NULL",
    );
  }

  /** Live principals of an account in (created_at, id) order, limit rows after `after`. */
  listLive(accountId: string, limit: number, after?: { createdAt: number; id: string }): Principal[] {
    return this.db
      .prepare<Record<string, unknown>, PrincipalRow>(
        `SELECT * FROM principals WHERE account_id = @account_id AND deleted_at IS NULL
           AND (created_at > @after_created_at OR (created_at = @after_created_at AND id > @after_id))
         ORDER BY created_at, id LIMIT @limit`,
      )
      .all({ account_id: accountId, limit, after_created_at: after?.createdAt ?? -1, after_id: after?.id ?? '' })
      .map(toPrincipal);
  }

  update(id: string, changes: { name?: string; role?: Role }): void {
    this.updateStatement.run({ id, name: changes.name ?? null, role: changes.role ?? null });
  }

  /** Soft delete: the principal's keys stop authenticating (401) but their records stay readable. */
  softDelete(id: string, at: number): void {
    this.softDeleteStatement.run(at, id);
  }

  countLiveOwners(accountId: string): number {
    return this.liveOwnersStatement.get(accountId)!.n;
  }

  insert(principal: Omit<Principal, 'deletedAt'>): void {
    this.insertStatement.run({
      id: principal.id,
      account_id: principal.accountId,
      name: principal.name,
      kind: principal.kind,
      role: principal.role,
      created_at: principal.createdAt,
    });
  }

  /** Includes soft-deleted principals (their keys stay readable); check `deletedAt` where it matters. */
  findById(id: string): Principal | undefined {
    const row = this.byIdStatement.get(id);
    return row ? toPrincipal(row) : undefined;
  }
}
