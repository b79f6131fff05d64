/**
 * The audit log (docs/guides/api.md#audit): append-only, one SHA-256 chain per account. Appends read the chain's
 * sealed head and insert the next entry inside one transaction (the caller's change's, or one of
 * their own) that first locks the chain's head (readLockedHead), so two writers (two processes,
 * two replicas) can never both extend the same entry and fork the chain, and the head moves with
 * the entry or not at all.
 *
 * Verification walks the chain in slices and yields to the event loop between them, so checking
 * a chain of any length never holds the server for longer than one slice.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { encodeBase62Fixed, randomBase62 } from '@managed-dev/contract';
import {
  AuditEntry,
  AuditFields,
  BrokenEntry,
  ChainHead,
  ChainVerdict,
  ChainWalker,
  chainEntry,
  genesisHead,
  headProblem,
  isSealValid,
  sealHead,
} from '../domain/audit-chain';
import type { SqlDatabase } from './sql-database';

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

interface HeadRow {
  chain: string;
  sequence: number;
  entry_id: string;
  hash: string;
  lost_at: number | null;
  seal: string;
}

const toHead = (row: HeadRow): ChainHead => ({
  chain: row.chain,
  sequence: row.sequence,
  entryId: row.entry_id,
  hash: row.hash,
  lostAt: row.lost_at,
});

/**
 * `aud_` + 22 base62: the entry's time in milliseconds (8 characters, so ids sort by time) and 14
 * random characters. Time-ordered ids land at the right edge of the id index, so a batch of
 * appends dirties one index page instead of one random page each (a page written to the WAL per
 * entry on every commit).
 */
export function auditEntryId(time: string): string {
  const millis = Date.parse(time);
  return `aud_${encodeBase62Fixed(Number.isSafeInteger(millis) && millis >= 0 ? millis : 0, 8)}${randomBase62(14)}`;
}

/** Entries hashed per synchronous step of `verify`; each step is well under a millisecond's work per 100 entries. */
export const VERIFY_SLICE_ENTRIES = 500;

/** Set once the chains written before sealed heads existed have been sealed (trust on first use, once). */
const HEADS_ADOPTED_SETTING = 'audit_heads_adopted';
/** Set once the accounts created before genesis heads existed (and never audited) got one (once). */
const GENESIS_ADOPTED_SETTING = 'audit_genesis_heads_adopted';

export interface VerifyOptions {
  /** Entries per synchronous slice (default VERIFY_SLICE_ENTRIES). */
  readonly sliceEntries?: number;
  /** Called after each slice with the number of entries it checked (tests measure the slice bound with it). */
  readonly onSlice?: (entries: number) => void;
}

const SQL = {
  last: 'SELECT sequence, hash, id FROM audit_log WHERE chain = ? ORDER BY sequence DESC LIMIT 1',
  head: 'SELECT * FROM audit_heads WHERE chain = ?',
  /** PostgreSQL: the head, locked until COMMIT (readLockedHead). */
  headForUpdate: 'SELECT * FROM audit_heads WHERE chain = ? FOR UPDATE',
  writeHead: `INSERT INTO audit_heads (chain, sequence, entry_id, hash, lost_at, seal) VALUES (@chain, @sequence, @entryId, @hash, @lostAt, @seal)
    ON CONFLICT (chain) DO UPDATE SET sequence = excluded.sequence, entry_id = excluded.entry_id, hash = excluded.hash,
      lost_at = excluded.lost_at, seal = excluded.seal`,
  slice: 'SELECT * FROM audit_log WHERE chain = ? AND sequence > ? AND sequence <= ? ORDER BY sequence LIMIT ?',
  newest: 'SELECT MAX(sequence) AS newest FROM audit_log WHERE chain = ?',
  accountExists: 'SELECT 1 AS found FROM accounts WHERE id = ?',
  accountsWithoutChain:
    'SELECT id FROM accounts WHERE id NOT IN (SELECT chain FROM audit_heads) AND id NOT IN (SELECT DISTINCT chain FROM audit_log) ORDER BY id',
  unsealedChains: 'SELECT DISTINCT chain FROM audit_log WHERE chain NOT IN (SELECT chain FROM audit_heads) ORDER BY chain',
  setting: 'SELECT 1 AS found FROM settings WHERE name = ?',
  markSetting: 'INSERT INTO settings (name, value) VALUES (?, ?)',
  insert: `INSERT INTO audit_log (id, chain, sequence, time, account_id, actor_principal_id, key_id, action, target,
      source_ip, outcome, detail, previous_hash, hash)
    VALUES (@id, @chain, @sequence, @time, @accountId, @actorPrincipalId, @keyId, @action, @target,
      @sourceIp, @outcome, @detail, @previousHash, @hash)`,
} as const;

/**
 * PostgreSQL: the entry and the head it seals in one statement (a data-modifying CTE), one round
 * trip fewer while the chain is locked. SQLite has no INSERT inside WITH; it runs SQL.insert and
 * SQL.writeHead, two in-process calls that cost no round trip.
 */
const INSERT_ENTRY_AND_HEAD = `WITH entry AS (${SQL.insert})
  ${SQL.writeHead}`;

/** The lock that serialises appends to one chain across processes and replicas. */
export function auditChainLock(chain: string): string {
  return `audit-chain:${chain}`;
}

export class AuditRepository {
  /** One walk per account at a time: concurrent verify requests share it instead of each hashing the chain. */
  private readonly running = new Map<string, Promise<ChainVerdict>>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly sealKey: Buffer,
  ) {}

  /**
   * Inside the caller's transaction, with the chain locked from the head read to COMMIT. Kept to
   * two statements on PostgreSQL when the chain has a head (the lock and the read are one
   * statement, entry and head another), so the lock every writer of the account queues on is held
   * for those and the COMMIT only: a mint of one account can go no faster than that.
   */
  private async appendNow(fields: AuditFields): Promise<AuditEntry> {
    const chain = fields.accountId ?? SYSTEM_CHAIN;
    const headRow = await this.readLockedHead(chain);
    // The sealed head, not the newest row, is what the next entry extends: after the newest rows
    // were deleted the new entry leaves a gap that verify reports, instead of papering over it.
    let previous: { sequence: number; hash: string } | null = headRow ?? null;
    let lostAt: number | null = headRow ? headRow.lost_at : null;
    if (!headRow) {
      const newest = await this.db.get<{ sequence: number; hash: string; id: string }>(SQL.last, [chain]);
      if (newest) {
        previous = newest;
        lostAt = newest.sequence + 1;
      } else if (await this.isAccountChain(chain)) {
        // An account's chain is sealed from the account's creation on: no head and no entries
        // means the whole chain was deleted. The new entry keeps that evidence under its seal
        // instead of starting a fresh chain that would look whole.
        lostAt = 1;
      }
    }
    const entry = chainEntry(previous, auditEntryId(fields.time), fields);
    const head: ChainHead = { chain, sequence: entry.sequence, entryId: entry.id, hash: entry.hash, lostAt };
    const entryRow = {
      id: entry.id,
      chain,
      sequence: entry.sequence,
      time: entry.time,
      accountId: entry.accountId,
      actorPrincipalId: entry.actorPrincipalId,
      keyId: entry.keyId,
      action: entry.action,
      target: entry.target,
      sourceIp: entry.sourceIp,
      outcome: entry.outcome,
      detail: entry.detail,
      previousHash: entry.previousHash,
      hash: entry.hash,
    };
    if (this.db.engine === 'postgres') {
      // entry.id/hash and the head's entryId/hash are the same values under the same names.
      await this.db.run(INSERT_ENTRY_AND_HEAD, { ...entryRow, entryId: entry.id, lostAt, seal: sealHead(this.sealKey, head) });
    } else {
      await this.db.run(SQL.insert, entryRow);
      await this.writeHead(head);
    }
    return entry;
  }

  /**
   * Reads the chain's head so that no other writer, in any process or replica, can move it until
   * this transaction ends. Whoever holds it reads the head the previous append wrote.
   *
   * PostgreSQL: where the head row exists, `FOR UPDATE` locks it and reads its newest committed
   * version in one round trip (READ COMMITTED re-reads a row it had to wait for). A chain without a
   * head (the system chain's first entry, chains from before heads, a deleted head) has no row to
   * lock: its writers take the advisory lock `audit-chain:<chain>` and read again, now with
   * `FOR UPDATE`, since a writer that created the head meanwhile has committed it and later ones
   * lock that row. Every head write thus holds either the row lock or, for a head not yet there,
   * the advisory lock. SQLite rejects `FOR UPDATE` and needs no lock of its own: its write lock
   * (BEGIN IMMEDIATE) already serialises every writer, and `lock` is a no-op there.
   */
  private async readLockedHead(chain: string): Promise<HeadRow | undefined> {
    if (this.db.engine !== 'postgres') {
      await this.db.lock(auditChainLock(chain));
      return this.db.get<HeadRow>(SQL.head, [chain]);
    }
    const locked = await this.db.get<HeadRow>(SQL.headForUpdate, [chain]);
    if (locked) return locked;
    await this.db.lock(auditChainLock(chain));
    return this.db.get<HeadRow>(SQL.headForUpdate, [chain]);
  }

  private async writeHead(head: ChainHead): Promise<void> {
    await this.db.run(SQL.writeHead, {
      chain: head.chain,
      sequence: head.sequence,
      entryId: head.entryId,
      hash: head.hash,
      lostAt: head.lostAt,
      seal: sealHead(this.sealKey, head),
    });
  }

  private async isAccountChain(chain: string): Promise<boolean> {
    return chain !== SYSTEM_CHAIN && (await this.db.get(SQL.accountExists, [chain])) !== undefined;
  }

  /**
   * Seals the genesis head of a new account's chain. Call in the transaction that creates the
   * account (KeyService.createAccountWithOwner), so no account ever exists without a sealed head.
   */
  sealGenesis(accountId: string): Promise<void> {
    return this.writeHead(genesisHead(accountId));
  }

  /**
   * Seals the heads of chains written before heads existed, and the genesis heads of accounts
   * created before genesis heads existed that have no entries, each once per database (trust on
   * first use: the upgrade is the moment they are taken as they stand). Afterwards a chain without
   * a head is reported by verify, and an existing account's chain without one even when empty.
   */
  sealUnsealedChains(): Promise<number> {
    return this.db.transaction(async () => {
      // Replicas starting together on one fresh database: one adopts, the others then read its marks.
      await this.db.lock(HEADS_ADOPTED_SETTING);
      let sealed = 0;
      if ((await this.db.get(SQL.setting, [HEADS_ADOPTED_SETTING])) === undefined) {
        for (const { chain } of await this.db.all<{ chain: string }>(SQL.unsealedChains)) {
          await this.db.lock(auditChainLock(chain));
          const newest = (await this.db.get<{ sequence: number; hash: string; id: string }>(SQL.last, [chain]))!;
          await this.writeHead({ chain, sequence: newest.sequence, entryId: newest.id, hash: newest.hash, lostAt: null });
          sealed += 1;
        }
        await this.db.run(SQL.markSetting, [HEADS_ADOPTED_SETTING, new Date().toISOString()]);
      }
      if ((await this.db.get(SQL.setting, [GENESIS_ADOPTED_SETTING])) === undefined) {
        for (const { id } of await this.db.all<{ id: string }>(SQL.accountsWithoutChain)) {
          await this.db.lock(auditChainLock(id));
          await this.sealGenesis(id);
          sealed += 1;
        }
        await this.db.run(SQL.markSetting, [GENESIS_ADOPTED_SETTING, new Date().toISOString()]);
      }
      return sealed;
    });
  }

  /** Cache-neutral: no cache of authorization data reads the log, so appending empties none. */
  append(fields: AuditFields): Promise<AuditEntry> {
    return this.db.cacheNeutral(() => this.db.transaction(() => this.appendNow(fields)));
  }

  /**
   * Like `append`, as part of the caller's open transaction and without a savepoint of its own (on
   * PostgreSQL SAVEPOINT and RELEASE are two round trips, the second while the chain is locked).
   * For callers that let a failure abort their whole transaction, as the change committer does;
   * a caller that catches the failure and carries on needs `append`.
   */
  appendInTransaction(fields: AuditFields): Promise<AuditEntry> {
    if (!this.db.inTransaction) return Promise.reject(new Error('appendInTransaction must be called inside db.transaction'));
    return this.db.cacheNeutral(() => this.appendNow(fields));
  }

  async page(query: AuditPageQuery): Promise<AuditEntry[]> {
    const conditions = ['chain = @chain'];
    const params: Record<string, string | number> = { chain: query.accountId, limit: query.limit + 1 };
    if (query.beforeSequence !== undefined) {
      conditions.push('sequence < @before');
      params.before = query.beforeSequence;
    }
    if (query.action !== undefined) {
      conditions.push('action = @action');
      params.action = query.action;
    }
    if (query.outcome !== undefined) {
      conditions.push('outcome = @outcome');
      params.outcome = query.outcome;
    }
    const rows = await this.db.all<AuditRow>(`SELECT * FROM audit_log WHERE ${conditions.join(' AND ')} ORDER BY sequence DESC LIMIT @limit`, params);
    return rows.map(toEntry);
  }

  /**
   * Walks the account's chain from its first entry up to its sealed head, VERIFY_SLICE_ENTRIES at
   * a time with a turn of the event loop between slices, then checks that the chain ends exactly
   * at the sealed head. Names the first entry that does not fit. Entries appended while the walk
   * runs are walked too (the head is re-read at the end in one snapshot).
   */
  verify(accountId: string, options: VerifyOptions = {}): Promise<ChainVerdict> {
    // A caller joining a running walk gets its verdict; only the starter's onSlice observes the slices.
    const shareable = options.sliceEntries === undefined;
    const running = shareable ? this.running.get(accountId) : undefined;
    if (running) return running;
    const walk = this.walk(accountId, options).finally(() => {
      if (this.running.get(accountId) === walk) this.running.delete(accountId);
    });
    if (shareable) this.running.set(accountId, walk);
    return walk;
  }

  private async walk(chain: string, options: VerifyOptions): Promise<ChainVerdict> {
    const sliceEntries = options.sliceEntries ?? VERIFY_SLICE_ENTRIES;
    const walker = new ChainWalker();
    // The chain as it stood when verification was asked for; later entries are checked next time.
    const target = (await this.db.get<HeadRow>(SQL.head, [chain]))?.sequence ?? (await this.newestSequence(chain));
    while (walker.lastSequence < target && !walker.isBroken) {
      const rows = await this.db.all<AuditRow>(SQL.slice, [chain, walker.lastSequence, target, sliceEntries]);
      if (rows.length === 0) break;
      walker.feed(rows.map(toEntry));
      options.onSlice?.(rows.length);
      await nextTurn();
    }
    if (walker.isBroken) return walker.verdict();
    // Head, newest row and the entry after the walked ones in one snapshot, so an append made
    // while the walk ran cannot look like tampering.
    // (The chain's lock keeps appends out on engines whose transactions see each statement's own snapshot.)
    const { headRow, newest, next } = await this.db.transaction(async () => {
      return {
        headRow: await this.readLockedHead(chain),
        newest: await this.newestSequence(chain),
        next: await this.db.get<AuditRow>(SQL.slice, [chain, walker.lastSequence, walker.lastSequence + 1, 1]),
      };
    });
    const head = headRow ? toHead(headRow) : null;
    const sealValid = head ? isSealValid(this.sealKey, head, headRow!.seal) : false;
    const headRequired = head === null && (await this.isAccountChain(chain));
    let problem: BrokenEntry | null;
    if (head && head.sequence > target && walker.lastSequence === target && next) {
      // Judge the head's seal and the walked end's continuity with the first newer entry; the newer
      // entries themselves are walked by the next verification.
      const walkedEnd = { ...head, sequence: target, entryId: walker.lastEntryId!, hash: next.previous_hash };
      problem =
        headProblem(walker, walkedEnd, sealValid, target) ??
        (newest > head.sequence
          ? {
              id: head.entryId,
              sequence: head.sequence + 1,
              reason: `entries after ${head.sequence} were not written by the server (they are past the sealed head)`,
            }
          : null);
    } else {
      problem = headProblem(walker, head, sealValid, newest, headRequired);
    }
    if (problem) walker.fail(problem);
    return walker.verdict();
  }

  private async newestSequence(chain: string): Promise<number> {
    const row = await this.db.get<{ newest: number | null }>(SQL.newest, [chain]);
    return row?.newest ?? 0;
  }
}
