import type { Db } from './database';

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

interface AccountRow {
  id: string;
  name: string;
  created_at: number;
}

const toAccount = (row: AccountRow): Account => ({ id: row.id, name: row.name, createdAt: row.created_at });

export class AccountRepository {
  private readonly insertStatement;
  private readonly byIdStatement;
  private readonly byNameStatement;

  constructor(private readonly db: Db) {
    this.insertStatement = db.prepare('INSERT INTO accounts (id, name, created_at) VALUES (@id, @name, @created_at)');
    this.byIdStatement = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?');
    this.byNameStatement = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE name = ?');
  }

  insert(account: Account): void {
    this.insertStatement.run({ id: account.id, name: account.name, created_at: account.createdAt });
  }

  findById(id: string): Account | undefined {
    const row = this.byIdStatement.get(id);
    return row ? toAccount(row) : undefined;
  }

  findByName(name: string): Account | undefined {
    const row = this.byNameStatement.get(name);
    return row ? toAccount(row) : undefined;
  }
}
