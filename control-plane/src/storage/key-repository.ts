import type { KeyConstraint } from '../domain/authorization';
import type { KeyFacts, KeyStatus } from '../domain/key-rules';
import type { SqlDatabase } from './sql-database';

/** A key as stored: the domain's facts plus what only storage and audit need. */
export interface StoredKey extends KeyFacts {
  readonly accountId: string;
  /** The key that minted this one; null for an account's first owner key (bootstrap or CLI). */
  readonly createdByKeyId: string | null;
}

/** A key about to be inserted: never revoked or used yet, so those fields start out NULL. */
export type NewKey = Omit<StoredKey, 'revokedAt' | 'lastUsedAt' | 'lastUsedIp'>;

/** What PATCH /v1/keys/{id} may change (docs/guides/api.md#endpoints); TTL and constraint never change. */
export type KeyChanges = Partial<Pick<KeyFacts, 'name' | 'description' | 'preset' | 'scopes' | 'ipAllowlist'>>;

export interface KeyPageQuery {
  readonly accountId: string;
  readonly now: number;
  readonly limit: number;
  readonly name?: string;
  readonly status?: KeyStatus;
  /** Exclusive lower bound in (created_at, id) order. */
  readonly after?: { readonly createdAt: number; readonly id: string };
}

interface KeyRow {
  id: string;
  account_id: string;
  principal_id: string;
  created_by: string;
  created_by_key_id: string | null;
  name: string;
  description: string | null;
  preset: string | null;
  scopes_json: string;
  constraint_kind: 'team' | 'project' | 'site' | null;
  constraint_id: string | null;
  ip_allowlist_json: string;
  ttl: string;
  ephemeral: 0 | 1;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  last_used_ip: string | null;
}

function constraintFromRow(kind: KeyRow['constraint_kind'], id: string | null): KeyConstraint | null {
  if (kind === null || id === null) return null;
  if (kind === 'team') return { team_id: id };
  if (kind === 'project') return { project_id: id };
  return { site_id: id };
}

function constraintToColumns(constraint: KeyConstraint | null): { constraint_kind: KeyRow['constraint_kind']; constraint_id: string | null } {
  if (!constraint) return { constraint_kind: null, constraint_id: null };
  if ('team_id' in constraint) return { constraint_kind: 'team', constraint_id: constraint.team_id };
  if ('project_id' in constraint) return { constraint_kind: 'project', constraint_id: constraint.project_id };
  return { constraint_kind: 'site', constraint_id: constraint.site_id };
}

const toKey = (row: KeyRow): StoredKey => ({
  id: row.id,
  accountId: row.account_id,
  principalId: row.principal_id,
  createdBy: row.created_by,
  createdByKeyId: row.created_by_key_id,
  name: row.name,
  description: row.description,
  preset: row.preset,
  scopes: JSON.parse(row.scopes_json) as string[],
  constraint: constraintFromRow(row.constraint_kind, row.constraint_id),
  ipAllowlist: JSON.parse(row.ip_allowlist_json) as string[],
  ttl: row.ttl,
  ephemeral: row.ephemeral === 1,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
  lastUsedIp: row.last_used_ip,
});

/** SQL mirror of domain/key-rules.ts keyStatus (revoked wins over expired). */
const STATUS_CONDITION: Record<KeyStatus, string> = {
  active: 'revoked_at IS NULL AND expires_at > @now',
  expired: 'revoked_at IS NULL AND expires_at <= @now',
  revoked: 'revoked_at IS NOT NULL',
};

const INSERT_KEY = `INSERT INTO api_keys (id, account_id, principal_id, created_by, created_by_key_id, name, description, preset,
    scopes_json, constraint_kind, constraint_id, ip_allowlist_json, ttl, ephemeral, created_at, expires_at, revoked_at,
    last_used_at, last_used_ip)
  VALUES (@id, @account_id, @principal_id, @created_by, @created_by_key_id, @name, @description, @preset,
    @scopes_json, @constraint_kind, @constraint_id, @ip_allowlist_json, @ttl, @ephemeral, @created_at, @expires_at, NULL, NULL, NULL)`;
const INSERT_SECRET = 'INSERT INTO key_secrets (secret_hash, key_id, created_at, valid_until) VALUES (?, ?, ?, NULL)';
const BY_ID = 'SELECT * FROM api_keys WHERE id = ?';
const BY_SECRET = `SELECT k.*, s.secret_hash, s.valid_until AS secret_valid_until FROM key_secrets s JOIN api_keys k ON k.id = s.key_id
  WHERE s.secret_hash = ? AND (s.valid_until IS NULL OR s.valid_until > ?)`;
const REVOKE = 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL';
const END_SECRETS = 'UPDATE key_secrets SET valid_until = @until WHERE key_id = @key_id AND (valid_until IS NULL OR valid_until > @until)';
const PURGE_SECRETS = 'DELETE FROM key_secrets WHERE key_id = ? AND valid_until IS NOT NULL AND valid_until <= ?';
// Replicas batch their own last-used writes: one that commits later with an older time must not
// move the record backwards.
const LAST_USED = 'UPDATE api_keys SET last_used_at = @at, last_used_ip = @ip WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)';
const EXPIRY = 'UPDATE api_keys SET expires_at = ? WHERE id = ?';

export class KeyRepository {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Cache-neutral (storage/change-stamp.ts): the rows are new, and no cache holds a miss for a key
   * or secret, so minting does not make every busy key reload itself.
   *
   * Inside a caller's transaction (a mint's change, the bootstrap) the rows go straight into it,
   * without a savepoint of their own (on PostgreSQL SAVEPOINT and RELEASE cost two round trips per
   * mint): neither caller survives a failure here, it fails the whole transaction and with it the key.
   */
  insert(key: NewKey, secretHash: Buffer): Promise<void> {
    return this.db.cacheNeutral(() => (this.db.inTransaction ? this.insertRows(key, secretHash) : this.db.transaction(() => this.insertRows(key, secretHash))));
  }

  private async insertRows(key: NewKey, secretHash: Buffer): Promise<void> {
    const constraint = constraintToColumns(key.constraint);
    await this.db.run(INSERT_KEY, {
      id: key.id,
      account_id: key.accountId,
      principal_id: key.principalId,
      created_by: key.createdBy,
      created_by_key_id: key.createdByKeyId,
      name: key.name,
      description: key.description,
      preset: key.preset,
      scopes_json: JSON.stringify(key.scopes),
      constraint_kind: constraint.constraint_kind,
      constraint_id: constraint.constraint_id,
      ip_allowlist_json: JSON.stringify(key.ipAllowlist),
      ttl: key.ttl,
      ephemeral: key.ephemeral ? 1 : 0,
      created_at: key.createdAt,
      expires_at: key.expiresAt,
    });
    await this.db.run(INSERT_SECRET, [secretHash, key.id, key.createdAt]);
  }

  async findById(id: string): Promise<StoredKey | undefined> {
    const row = await this.db.get<KeyRow>(BY_ID, [id]);
    return row ? toKey(row) : undefined;
  }

  /** The keys of one account among `ids` (ids of other accounts or of no key are absent), in no particular order. */
  async findManyInAccount(accountId: string, ids: readonly string[]): Promise<StoredKey[]> {
    if (ids.length === 0) return [];
    const placeholders = ids.map(() => '?').join(', ');
    const rows = await this.db.all<KeyRow>(`SELECT * FROM api_keys WHERE account_id = ? AND id IN (${placeholders})`, [accountId, ...ids]);
    return rows.map(toKey);
  }

  /** The key a secret belongs to, if that secret is still accepted at `now` (rotation grace). */
  async findBySecretHash(secretHash: Buffer, now: number): Promise<{ key: StoredKey; storedHash: Buffer; secretValidUntil: number | null } | undefined> {
    const row = await this.db.get<KeyRow & { secret_hash: Buffer; secret_valid_until: number | null }>(BY_SECRET, [secretHash, now]);
    return row ? { key: toKey(row), storedHash: row.secret_hash, secretValidUntil: row.secret_valid_until } : undefined;
  }

  async list(query: KeyPageQuery): Promise<StoredKey[]> {
    const conditions = ['account_id = @account_id'];
    if (query.name !== undefined) conditions.push('name = @name');
    if (query.status !== undefined) conditions.push(STATUS_CONDITION[query.status]);
    if (query.after) conditions.push('(created_at > @after_created_at OR (created_at = @after_created_at AND id > @after_id))');
    // Only the parameters the statement names: PostgreSQL numbers exactly those.
    const params: Record<string, string | number> = { account_id: query.accountId, limit: query.limit };
    if (query.status !== undefined) params.now = query.now;
    if (query.name !== undefined) params.name = query.name;
    if (query.after) {
      params.after_created_at = query.after.createdAt;
      params.after_id = query.after.id;
    }
    const rows = await this.db.all<KeyRow>(`SELECT * FROM api_keys WHERE ${conditions.join(' AND ')} ORDER BY created_at, id LIMIT @limit`, params);
    return rows.map(toKey);
  }

  async update(id: string, changes: KeyChanges): Promise<void> {
    const assignments: string[] = [];
    const values: Record<string, string | null> = { id };
    const set = (column: string, value: string | null) => {
      assignments.push(`${column} = @${column}`);
      values[column] = value;
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.description !== undefined) set('description', changes.description);
    if (changes.preset !== undefined) set('preset', changes.preset);
    if (changes.scopes !== undefined) set('scopes_json', JSON.stringify(changes.scopes));
    if (changes.ipAllowlist !== undefined) set('ip_allowlist_json', JSON.stringify(changes.ipAllowlist));
    if (assignments.length === 0) return;
    await this.db.run(`UPDATE api_keys SET ${assignments.join(', ')} WHERE id = @id`, values);
  }

  /** Returns false when the key was already revoked (revocation is idempotent; the first time wins). */
  async revoke(id: string, at: number): Promise<boolean> {
    return (await this.db.run(REVOKE, [at, id])).changes === 1;
  }

  /**
   * Installs a new secret; every older secret stays valid until `oldSecretsValidUntil` (now + grace).
   * Secrets whose grace already ended are deleted so the table holds at most what can still work.
   */
  rotate(id: string, newSecretHash: Buffer, now: number, oldSecretsValidUntil: number, newExpiresAt: number): Promise<void> {
    return this.db.transaction(async () => {
      await this.db.run(EXPIRY, [newExpiresAt, id]);
      await this.db.run(END_SECRETS, { key_id: id, until: oldSecretsValidUntil });
      await this.db.run(PURGE_SECRETS, [id, now]);
      await this.db.run(INSERT_SECRET, [newSecretHash, id, now]);
    });
  }

  /** Renewal (ephemeral keys): the key now expires at `expiresAt`. */
  async extendExpiry(id: string, expiresAt: number): Promise<void> {
    await this.db.run(EXPIRY, [expiresAt, id]);
  }

  /**
   * Seam for last-used tracking (docs/guides/api.md#keys): callers decide how often to write. A
   * use older than the one recorded changes nothing (another replica got there with a newer one).
   */
  async recordLastUsed(id: string, at: number, ip: string): Promise<void> {
    await this.db.run(LAST_USED, { at, ip, id });
  }
}
