/**
 * Tamper-evident audit log (docs/guides/api.md#audit). Pure.
 *
 * Each account has its own chain (entries with no account, such as a request with an unknown key,
 * form the "system" chain), so verifying one account's log never reads, or names, another
 * account's entries. An entry's hash is SHA-256 over the previous entry's hash and a canonical
 * serialisation of every stored field, including its id and position, so editing, deleting,
 * reordering or re-numbering any row breaks the chain at that row or the one after it.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The hash a chain's first entry points back to. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFields {
  /** ISO 8601 UTC instant. */
  readonly time: string;
  readonly accountId: string | null;
  readonly actorPrincipalId: string | null;
  readonly keyId: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly sourceIp: string | null;
  /** `success` or `denied`, optionally refined in `detail`. */
  readonly outcome: string;
  readonly detail: string | null;
}

export interface AuditEntry extends AuditFields {
  readonly id: string;
  /** 1-based position within the entry's chain. */
  readonly sequence: number;
  readonly previousHash: string;
  readonly hash: string;
}

// Secrets have a fixed, recognisable shape (mdk_ + 46 base62); anything that looks like one is
// blanked before it can reach the log, whatever field a caller put it in by mistake.
const SECRET_SHAPE = /mdk_[0-9A-Za-z]{20,}/g;

export function redactSecrets(text: string): string {
  return text.replace(SECRET_SHAPE, 'mdk_[redacted]');
}

function clean(value: string | null): string | null {
  return value === null ? null : redactSecrets(value);
}

/** The fields as they will be stored: every free-text field passed through the secret filter. */
export function sanitizeAuditFields(fields: AuditFields): AuditFields {
  return {
    time: fields.time,
    accountId: fields.accountId,
    actorPrincipalId: fields.actorPrincipalId,
    keyId: fields.keyId,
    action: clean(fields.action) as string,
    target: clean(fields.target),
    sourceIp: fields.sourceIp,
    outcome: fields.outcome,
    detail: clean(fields.detail),
  };
}

/**
 * A fixed-order JSON array, so the serialisation does not depend on object key order and every
 * field is delimited unambiguously (no "a"+"bc" = "ab"+"c" collisions).
 */
export function canonicalAuditEntry(entry: AuditFields & { id: string; sequence: number }): string {
  return JSON.stringify([
    entry.id,
    entry.sequence,
    entry.time,
    entry.accountId,
    entry.actorPrincipalId,
    entry.keyId,
    entry.action,
    entry.target,
    entry.sourceIp,
    entry.outcome,
    entry.detail,
  ]);
}

export function chainHash(previousHash: string, canonical: string): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonical).digest('hex');
}

/** Builds the next entry of a chain whose last entry is `previous` (or none). */
export function chainEntry(previous: Pick<AuditEntry, 'sequence' | 'hash'> | null, id: string, fields: AuditFields): AuditEntry {
  const sanitized = sanitizeAuditFields(fields);
  const sequence = previous ? previous.sequence + 1 : 1;
  const previousHash = previous ? previous.hash : GENESIS_HASH;
  const hash = chainHash(previousHash, canonicalAuditEntry({ ...sanitized, id, sequence }));
  return { ...sanitized, id, sequence, previousHash, hash };
}

export interface BrokenEntry {
  /** The entry that does not fit; for missing newest entries, the id the sealed head names. */
  readonly id: string;
  readonly sequence: number;
  readonly reason: string;
}

export type ChainVerdict =
  | { readonly ok: true; readonly checked: number; readonly lastHash: string }
  | { readonly ok: false; readonly checked: number; readonly firstBroken: BrokenEntry };

/**
 * Walks one chain in sequence order, fed in slices (so a caller can yield between them), and
 * remembers the first entry that does not fit. Verification of a long chain is then many short
 * synchronous steps rather than one long one.
 */
export class ChainWalker {
  private previousHash = GENESIS_HASH;
  private lastId: string | null = null;
  private checkedCount = 0;
  private broken: BrokenEntry | null = null;

  /** Checks the next entries; returns false once the chain is broken (later entries are not looked at). */
  feed(entries: Iterable<AuditEntry>): boolean {
    if (this.broken) return false;
    for (const entry of entries) {
      const reason = this.problemWith(entry);
      if (reason) {
        this.broken = { id: entry.id, sequence: entry.sequence, reason };
        return false;
      }
      this.previousHash = entry.hash;
      this.lastId = entry.id;
      this.checkedCount += 1;
    }
    return true;
  }

  /** Sequence number of the last entry checked (0 before the first). */
  get lastSequence(): number {
    return this.checkedCount;
  }

  get lastHash(): string {
    return this.previousHash;
  }

  get lastEntryId(): string | null {
    return this.lastId;
  }

  get isBroken(): boolean {
    return this.broken !== null;
  }

  /** Marks the chain broken for a reason found outside the entries themselves (the sealed head). */
  fail(broken: BrokenEntry): void {
    this.broken ??= broken;
  }

  verdict(): ChainVerdict {
    return this.broken
      ? { ok: false, checked: this.checkedCount, firstBroken: this.broken }
      : { ok: true, checked: this.checkedCount, lastHash: this.previousHash };
  }

  private problemWith(entry: AuditEntry): string | null {
    const expectedSequence = this.checkedCount + 1;
    if (entry.sequence !== expectedSequence) {
      return `expected sequence ${expectedSequence} but found ${entry.sequence}: an entry is missing or was moved`;
    }
    if (entry.previousHash !== this.previousHash) return 'previous_hash does not match the hash of the entry before it';
    if (chainHash(this.previousHash, canonicalAuditEntry(entry)) !== entry.hash) {
      return 'the entry was changed after it was written (its hash does not match its contents)';
    }
    return null;
  }
}

/** Walks one whole chain in sequence order and names the first entry that does not fit. */
export function verifyChain(entries: Iterable<AuditEntry>): ChainVerdict {
  const walker = new ChainWalker();
  walker.feed(entries);
  return walker.verdict();
}

/**
 * The newest entry of a chain as the server last wrote it. Sealed with an HMAC under a key derived
 * from the pepper, which never enters the database: whoever can write the database can delete the
 * newest rows, or rewrite rows and recompute every later hash, but cannot make a matching head.
 */
export interface ChainHead {
  readonly chain: string;
  readonly sequence: number;
  readonly entryId: string;
  readonly hash: string;
  /** Set when an append found the head missing while the chain had entries: that evidence stays sealed in. */
  readonly lostAt: number | null;
}

/**
 * The head an account's chain has from the account's creation on, before its first entry: nothing
 * walked yet. Sealed like any head, so deleting every entry and the head of an account's chain is
 * a missing head verify reports, never an empty chain that looks whole.
 */
export function genesisHead(chain: string): ChainHead {
  return { chain, sequence: 0, entryId: '', hash: GENESIS_HASH, lostAt: null };
}

/** Why verify calls a chain broken when the head of an existing account's chain is gone. */
export const HEAD_MISSING_REASON =
  "head_missing: the chain's sealed head is missing although the account exists; the chain (or its head) was deleted outside the server";

/** The HMAC key for chain heads, derived from the pepper so it is never the pepper itself. */
export function auditSealKey(pepper: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, 'managed.dev audit head seal', 'v1', 32));
}

export function sealHead(sealKey: Buffer, head: ChainHead): string {
  return createHmac('sha256', sealKey)
    .update(JSON.stringify([head.chain, head.sequence, head.entryId, head.hash, head.lostAt]))
    .digest('hex');
}

export function isSealValid(sealKey: Buffer, head: ChainHead, seal: string): boolean {
  const expected = Buffer.from(sealHead(sealKey, head), 'hex');
  const given = Buffer.from(seal, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * After the entries up to the sealed head were walked without a fault: do they end where the head
 * says? Returns why not, or null when the chain is whole. `head` is null when the chain has no
 * head row at all; `headRequired` says the chain must have one (an existing account's chain is
 * sealed from the account's creation on), so a missing head is tampering even with no entries.
 */
export function headProblem(
  walked: { readonly lastSequence: number; readonly lastHash: string; readonly lastEntryId: string | null },
  head: ChainHead | null,
  sealValid: boolean,
  newestStoredSequence: number,
  headRequired = false,
): BrokenEntry | null {
  if (head === null) {
    if (headRequired) return { id: walked.lastEntryId ?? '', sequence: newestStoredSequence, reason: HEAD_MISSING_REASON };
    if (newestStoredSequence === 0) return null;
    return { id: walked.lastEntryId ?? '', sequence: newestStoredSequence, reason: 'the chain has entries but its sealed head is missing' };
  }
  const at = { id: head.entryId, sequence: head.sequence };
  if (!sealValid) return { ...at, reason: 'the sealed chain head does not match its seal: it was altered outside the server' };
  if (head.lostAt !== null) {
    return { ...at, reason: `the sealed head was found missing when entry ${head.lostAt} was appended: entries before it may have been deleted` };
  }
  if (walked.lastSequence < head.sequence) {
    return { ...at, reason: `entries ${walked.lastSequence + 1} to ${head.sequence} are missing: the newest entries were deleted` };
  }
  // A genesis head (sequence 0) names no entry: the walk has none to name either.
  if (walked.lastHash !== head.hash || (walked.lastEntryId ?? '') !== head.entryId) {
    return { ...at, reason: 'the newest entry does not match the sealed head: entries were rewritten and their hashes recomputed' };
  }
  if (newestStoredSequence > head.sequence) {
    return {
      id: walked.lastEntryId ?? '',
      sequence: head.sequence + 1,
      reason: `entries after ${head.sequence} were not written by the server (they are past the sealed head)`,
    };
  }
  return null;
}
