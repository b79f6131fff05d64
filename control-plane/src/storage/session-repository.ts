/** Dashboard sessions (migration 0040). Tokens are only ever looked up by their HMAC. */
import type { SqlDatabase } from './sql-database';

export interface StoredSession {
  readonly tokenHash: Buffer;
  readonly keyId: string;
  /** HMAC of the secret that signed in: authentication goes through the key's normal lookup with it. */
  readonly secretHash: Buffer;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

interface SessionRow {
  token_hash: Buffer;
  key_id: string;
  secret_hash: Buffer;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

const toSession = (row: SessionRow): StoredSession => ({
  tokenHash: row.token_hash,
  keyId: row.key_id,
  secretHash: row.secret_hash,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
});

const INSERT = `INSERT INTO dashboard_sessions (token_hash, key_id, secret_hash, created_at, expires_at, revoked_at)
  VALUES (@token_hash, @key_id, @secret_hash, @created_at, @expires_at, NULL)`;
const BY_TOKEN = 'SELECT * FROM dashboard_sessions WHERE token_hash = ?';
const REVOKE = 'UPDATE dashboard_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL';
const PURGE = 'DELETE FROM dashboard_sessions WHERE expires_at < ?';

export class SessionRepository {
  constructor(private readonly db: SqlDatabase) {}

  async insert(session: Omit<StoredSession, 'revokedAt'>): Promise<void> {
    await this.db.run(INSERT, {
      token_hash: session.tokenHash,
      key_id: session.keyId,
      secret_hash: session.secretHash,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    });
  }

  async findByTokenHash(tokenHash: Buffer): Promise<StoredSession | undefined> {
    const row = await this.db.get<SessionRow>(BY_TOKEN, [tokenHash]);
    return row ? toSession(row) : undefined;
  }

  async revoke(tokenHash: Buffer, now: number): Promise<void> {
    await this.db.run(REVOKE, [now, tokenHash]);
  }

  /** Rows long past their expiry prove nothing any more; dropped lazily at sign-in. */
  async purgeExpiredBefore(cutoff: number): Promise<void> {
    await this.db.run(PURGE, [cutoff]);
  }
}
