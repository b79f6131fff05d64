/** Dashboard sessions (migration 0040). Tokens are only ever looked up by their HMAC. */
import type { Db } from './database';

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

export class SessionRepository {
  private readonly insertStatement;
  private readonly byTokenStatement;
  private readonly revokeStatement;
  private readonly purgeStatement;

  constructor(db: Db) {
    this.insertStatement = db.prepare(
      `INSERT INTO dashboard_sessions (token_hash, key_id, secret_hash, created_at, expires_at, revoked_at)
       VALUES (@token_hash, @key_id, @secret_hash, @created_at, @expires_at, NULL)`,
    );
    this.byTokenStatement = db.prepare<[Buffer], SessionRow>('SELECT * FROM dashboard_sessions WHERE token_hash = ?');
    this.revokeStatement = db.prepare('UPDATE dashboard_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL');
    this.purgeStatement = db.prepare('DELETE FROM dashboard_sessions WHERE expires_at < ?');
  }

  insert(session: Omit<StoredSession, 'revokedAt'>): void {
    this.insertStatement.run({
      token_hash: session.tokenHash,
      key_id: session.keyId,
      secret_hash: session.secretHash,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    });
  }

  findByTokenHash(tokenHash: Buffer): StoredSession | undefined {
    const row = this.byTokenStatement.get(tokenHash);
    return row ? toSession(row) : undefined;
  }

  revoke(tokenHash: Buffer, now: number): void {
    this.revokeStatement.run(now, tokenHash);
  }

  /** Rows long past their expiry prove nothing any more; dropped lazily at sign-in. */
  purgeExpiredBefore(cutoff: number): void {
    this.purgeStatement.run(cutoff);
  }
}
