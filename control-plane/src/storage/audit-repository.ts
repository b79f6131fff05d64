/**
 * The audit log (docs/guides/api.md#audit): append-only, one SHA-256 chain per account. Appends read the chain's
 * last entry and insert the next one inside one IMMEDIATE transaction, so two writers (or two
 * processes) can never both extend the same entry and fork the chain.
 */
import { randomBase62 } from '@managed-dev/contract';
import { AuditEntry, AuditFields, ChainVerdict, chainEntry, verifyChain } from '../domain/audit-chain';
import { cacheNeutralWrite } from './change-stamp';
import type { Db } from './database';

/** The chain of entries that have no account (e.g. a request with an unknown key). */
export const SYSTEM_CHAIN = '';

interface AuditRow {
  id: string;
  chain: string;
  sequence: number;
  time: string;
  account_id: string | null;
  actor_principal_id: string | null;
  key_id: string | null;
  action: string;
  target: string | null;
  source_ip: string | null;
  outcome: string;
  detail: string | null;
  previous_hash: string;
  hash: string;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  sequence: r.sequence,
  time: r.time,
  accountId: r.account_id,
  actorPrincipalId: r.actor_principal_id,
  keyId: r.key_id,
  action: r.action,
  target: r.target,
  sourceIp: r.source_ip,
  outcome: r.outcome,
  detail: r.detail,
  previousHash: r.previous_hash,
  hash: r.hash,
});

export interface AuditPageQuery {
  readonly accountId: string;
  readonly limit: number;
  /** Newest first: return entries with a sequence below this one. */
  readonly beforeSequence?: number;
  readonly action?: string;
  readonly outcome?: string;
}

export class AuditRepository {
  private readonly s;
  private readonly appendTransaction;

  constructor(private readonly db: Db) {
    this.s = {
      last: db.prepare<[string], { sequence: number; hash: string }>(
        'SELECT sequence, hash FROM audit_log WHERE chain = ? ORDER BY sequence DESC LIMIT 1',
      ),
      insert: db.prepare(
        `INSERT INTO audit_log (id, chain, sequence, time, account_id, actor_principal_id, key_id, action, target,
           source_ip, outcome, detail, previous_hash, hash)
         VALUES (@id, @chain, @sequence, @time, @accountId, @actorPrincipalId, @keyId, @action, @target,
           @sourceIp, @outcome, @detail, @previousHash, @hash)`,
      ),
      chain: db.prepare<[string], AuditRow>('SELECT * FROM audit_log WHERE chain = ? ORDER BY sequence'),
    };
    this.appendTransaction = db.transaction((fields: AuditFields): AuditEntry => {
      const chain = fields.accountId ?? SYSTEM_CHAIN;
      const entry = chainEntry(this.s.last.get(chain) ?? null, `aud_${randomBase62(22)}`, fields);
      this.s.insert.run({ ...entry, chain });
      return entry;
    });
  }

  /** Cache-neutral: no cache of authorization data reads the log, so appending empties none. */
  append(fields: AuditFields): AuditEntry {
    return cacheNeutralWrite(this.db, () => this.appendTransaction.immediate(fields));
  }

  page(query: AuditPageQuery): AuditEntry[] {
    const conditions = ['chain = @chain'];
    if (query.beforeSequence !== undefined) conditions.push('sequence < @before');
    if (query.action !== undefined) conditions.push('action = @action');
    if (query.outcome !== undefined) conditions.push('outcome = @outcome');
    return this.db
      .prepare<Record<string, unknown>, AuditRow>(
        `SELECT * FROM audit_log WHERE ${conditions.join(' AND ')} ORDER BY sequence DESC LIMIT @limit`,
      )
      .all({
        chain: query.accountId,
        limit: query.limit + 1,
        ...(query.beforeSequence !== undefined ? { before: query.beforeSequence } : {}),
        ...(query.action !== undefined ? { action: query.action } : {}),
        ...(query.outcome !== undefined ? { outcome: query.outcome } : {}),
      })
      .map(toEntry);
  }

  /** Streams the account's chain from the first entry and names the first one that does not fit. */
  verify(accountId: string): ChainVerdict {
    const rows = this.s.chain.iterate(accountId) as IterableIterator<AuditRow>;
    return verifyChain((function* () {
      for (const row of rows) yield toEntry(row);
    })());
  }
}
