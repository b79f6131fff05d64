import type { Role } from '../domain/scope-catalog';
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

  constructor(private readonly db: Db) {
    this.insertStatement = db.prepare(
      `INSERT INTO principals (id, account_id, name, kind, role, created_at, deleted_at)
       VALUES (@id, @account_id, @name, @kind, @role, @created_at, NULL)`,
    );
    this.byIdStatement = db.prepare<[string], PrincipalRow>('SELECT * FROM principals WHERE id = ?');
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
