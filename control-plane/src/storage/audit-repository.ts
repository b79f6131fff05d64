/**
 * The audit log (docs/guides/api.md#audit): append-only, one SHA-256 chain per account. Appends read the chain's
 * sealed head and insert the next entry inside one IMMEDIATE transaction (a savepoint when the
 * caller's change already holds one), so two writers (or two processes) can never both extend the
 * same entry and fork the chain, and the head moves with the entry or not at all.
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

export class AuditRepository {
  private readonly s;
  private readonly appendTransaction;
  /** One walk per account at a time: concurrent verify requests share it instead of each hashing the chain. */
  private readonly running = new Map<string, Promise<ChainVerdict>>();

  constructor(
    private readonly db: Db,
    private readonly sealKey: Buffer,
  ) {
    this.s = {
      last: db.prepare<[string], { sequence: number; hash: string; id: string }>(
        'SELECT sequence, hash, id FROM audit_log WHERE chain = ? ORDER BY sequence DESC LIMIT 1',
      ),
      head: db.prepare<[string], HeadRow>('SELECT * FROM audit_heads WHERE chain = ?'),
      writeHead: db.prepare(
        `INSERT INTO audit_heads (chain, sequence, entry_id, hash, lost_at, seal) VALUES (@chain, @sequence, @entryId, @hash, @lostAt, @seal)
         ON CONFLICT (chain) DO UPDATE SET sequence = excluded.sequence, entry_id = excluded.entry_id, hash = excluded.hash,
           lost_at = excluded.lost_at, seal = excluded.seal`,
      ),
      slice: db.prepare<[string, number, number, number], AuditRow>(
        'SELECT * FROM audit_log WHERE chain = ? AND sequence > ? AND sequence <= ? ORDER BY sequence LIMIT ?',
      ),
      newest: db.prepare<[string], number | null>('SELECT MAX(sequence) FROM audit_log WHERE chain = ?').pluck(),
      accountExists: db.prepare<[string], number>('SELECT 1 FROM accounts WHERE id = ?').pluck(),
      accountsWithoutChain: db
        .prepare<[], string>('SELECT id FROM accounts WHERE id NOT IN (SELECT chain FROM audit_heads) AND id NOT IN (SELECT DISTINCT chain FROM audit_log)')
        .pluck(),
      unsealedChains: db.prepare<[], string>('SELECT DISTINCT chain FROM audit_log WHERE chain NOT IN (SELECT chain FROM audit_heads)').pluck(),
      insert: db.prepare(
        `INSERT INTO audit_log (id, chain, sequence, time, account_id, actor_principal_id, key_id, action, target,
           source_ip, outcome, detail, previous_hash, hash)
         VALUES (@id, @chain, @sequence, @time, @accountId, @actorPrincipalId, @keyId, @action, @target,
           @sourceIp, @outcome, @detail, @previousHash, @hash)`,
      ),
    };
    this.appendTransaction = db.transaction((fields: AuditFields): AuditEntry => {
      const chain = fields.accountId ?? SYSTEM_CHAIN;
      const headRow = this.s.head.get(chain);
      // The sealed head, not the newest row, is what the next entry extends: after the newest rows
      // were deleted the new entry leaves a gap that verify reports, instead of papering over it.
      let previous: { sequence: number; hash: string } | null = headRow ?? null;
      let lostAt: number | null = headRow ? headRow.lost_at : null;
      if (!headRow) {
        const newest = this.s.last.get(chain);
        if (newest) {
          previous = newest;
          lostAt = newest.sequence + 1;
        } else if (this.isAccountChain(chain)) {
          // An account's chain is sealed from the account's creation on: no head and no entries
          // means the whole chain was deleted. The new entry keeps that evidence under its seal
          // instead of starting a fresh chain that would look whole.
          lostAt = 1;
        }
      }
      const entry = chainEntry(previous, auditEntryId(fields.time), fields);
      this.s.insert.run({ ...entry, chain });
      this.writeHead({ chain, sequence: entry.sequence, entryId: entry.id, hash: entry.hash, lostAt });
      return entry;
    });
  }

  private writeHead(head: ChainHead): void {
    this.s.writeHead.run({ ...head, seal: sealHead(this.sealKey, head) });
  }

  private isAccountChain(chain: string): boolean {
    return chain !== SYSTEM_CHAIN && this.s.accountExists.get(chain) !== undefined;
  }

  /**
   * Seals the genesis head of a new account's chain. Call in the transaction that creates the
   * account (KeyService.createAccountWithOwner), so no account ever exists without a sealed head.
   */
  sealGenesis(accountId: string): void {
    this.writeHead(genesisHead(accountId));
  }

  /**
   * Seals the heads of chains written before heads existed, and the genesis heads of accounts
   * created before genesis heads existed that have no entries, each once per database (trust on
   * first use: the upgrade is the moment they are taken as they stand). Afterwards a chain without
   * a head is reported by verify, and an existing account's chain without one even when empty.
   */
  sealUnsealedChains(): number {
    return this.db
      .transaction(() => {
        const adopted = this.db.prepare<[string], number>('SELECT 1 FROM settings WHERE name = ?').pluck();
        const markAdopted = this.db.prepare('INSERT INTO settings (name, value) VALUES (?, ?)');
        let sealed = 0;
        if (adopted.get(HEADS_ADOPTED_SETTING) === undefined) {
          for (const chain of this.s.unsealedChains.all()) {
            const newest = this.s.last.get(chain)!;
            this.writeHead({ chain, sequence: newest.sequence, entryId: newest.id, hash: newest.hash, lostAt: null });
            sealed += 1;
          }
          markAdopted.run(HEADS_ADOPTED_SETTING, new Date().toISOString());
        }
        if (adopted.get(GENESIS_ADOPTED_SETTING) === undefined) {
          for (const accountId of this.s.accountsWithoutChain.all()) {
            this.sealGenesis(accountId);
            sealed += 1;
          }
          markAdopted.run(GENESIS_ADOPTED_SETTING, new Date().toISOString());
        }
        return sealed;
      })
      .immediate();
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
      .prepare<Record<string, unknown>, AuditRow>(`SELECT * FROM audit_log WHERE ${conditions.join(' AND ')} ORDER BY sequence DESC LIMIT @limit`)
      .all({
        chain: query.accountId,
        limit: query.limit + 1,
        ...(query.beforeSequence !== undefined ? { before: query.beforeSequence } : {}),
        ...(query.action !== undefined ? { action: query.action } : {}),
        ...(query.outcome !== undefined ? { outcome: query.outcome } : {}),
      })
      .map(toEntry);
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
    const target = this.s.head.get(chain)?.sequence ?? this.s.newest.get(chain) ?? 0;
    while (walker.lastSequence < target && !walker.isBroken) {
      const rows = this.s.slice.all(chain, walker.lastSequence, target, sliceEntries);
      if (rows.length === 0) break;
      walker.feed(rows.map(toEntry));
      options.onSlice?.(rows.length);
      await nextTurn();
    }
    if (walker.isBroken) return walker.verdict();
    // Head, newest row and the entry after the walked ones in one snapshot, so an append made
    // while the walk ran cannot look like tampering.
    const { headRow, newest, next } = this.db.transaction(() => ({
      headRow: this.s.head.get(chain),
      newest: this.s.newest.get(chain) ?? 0,
      next: this.s.slice.get(chain, walker.lastSequence, walker.lastSequence + 1, 1),
    }))();
    const head = headRow ? toHead(headRow) : null;
    const sealValid = head ? isSealValid(this.sealKey, head, headRow!.seal) : false;
    const headRequired = head === null && this.isAccountChain(chain);
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
}
