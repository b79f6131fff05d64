import type { SqlDatabase } from './sql-database';

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

const INSERT = 'INSERT INTO accounts (id, name, created_at) VALUES (@id, @name, @created_at)';
const BY_ID = 'SELECT * FROM accounts WHERE id = ?';
const BY_NAME = 'SELECT * FROM accounts WHERE name = ?';

export class AccountRepository {
  constructor(private readonly db: SqlDatabase) {}

  async insert(account: Account): Promise<void> {
    await this.db.run(INSERT, { id: account.id, name: account.name, created_at: account.createdAt });
  }

  async findById(id: string): Promise<Account | undefined> {
    const row = await this.db.get<AccountRow>(BY_ID, [id]);
    return row ? toAccount(row) : undefined;
  }

  async findByName(name: string): Promise<Account | undefined> {
    const row = await this.db.get<AccountRow>(BY_NAME, [name]);
    return row ? toAccount(row) : undefined;
  }
}
