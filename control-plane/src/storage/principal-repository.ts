import type { Role } from '@managed-dev/contract';
import type { SqlDatabase } from './sql-database';

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

const INSERT = `INSERT INTO principals (id, account_id, name, kind, role, created_at, deleted_at)
  VALUES (@id, @account_id, @name, @kind, @role, @created_at, NULL)`;
const BY_ID = 'SELECT * FROM principals WHERE id = ?';
const UPDATE = 'UPDATE principals SET name = coalesce(@name, name), role = coalesce(@role, role) WHERE id = @id AND deleted_at IS NULL';
const SOFT_DELETE = 'UPDATE principals SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL';
const LIVE_OWNERS = "SELECT count(*) AS n FROM principals WHERE account_id = ? AND role = 'owner' AND deleted_at IS NULL";
const LIST_LIVE = `SELECT * FROM principals WHERE account_id = @account_id AND deleted_at IS NULL
    AND (created_at > @after_created_at OR (created_at = @after_created_at AND id > @after_id))
  ORDER BY created_at, id LIMIT @limit`;

export class PrincipalRepository {
  constructor(private readonly db: SqlDatabase) {}

  /** Live principals of an account in (created_at, id) order, limit rows after `after`. */
  async listLive(accountId: string, limit: number, after?: { createdAt: number; id: string }): Promise<Principal[]> {
    const rows = await this.db.all<PrincipalRow>(LIST_LIVE, {
      account_id: accountId,
      limit,
      after_created_at: after?.createdAt ?? -1,
      after_id: after?.id ?? '',
    });
    return rows.map(toPrincipal);
  }

  async update(id: string, changes: { name?: string; role?: Role }): Promise<void> {
    await this.db.run(UPDATE, { id, name: changes.name ?? null, role: changes.role ?? null });
  }

  /** Soft delete: the principal's keys stop authenticating (401) but their records stay readable. */
  async softDelete(id: string, at: number): Promise<void> {
    await this.db.run(SOFT_DELETE, [at, id]);
  }

  async countLiveOwners(accountId: string): Promise<number> {
    // Number(): count(*) is a BIGINT on PostgreSQL.
    return Number((await this.db.get<{ n: number }>(LIVE_OWNERS, [accountId]))!.n);
  }

  async insert(principal: Omit<Principal, 'deletedAt'>): Promise<void> {
    await this.db.run(INSERT, {
      id: principal.id,
      account_id: principal.accountId,
      name: principal.name,
      kind: principal.kind,
      role: principal.role,
      created_at: principal.createdAt,
    });
  }

  /** Includes soft-deleted principals (their keys stay readable); check `deletedAt` where it matters. */
  async findById(id: string): Promise<Principal | undefined> {
    const row = await this.db.get<PrincipalRow>(BY_ID, [id]);
    return row ? toPrincipal(row) : undefined;
  }
}
