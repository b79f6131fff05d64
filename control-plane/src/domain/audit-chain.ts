/**
 * Tamper-evident audit log (docs/guides/api.md#audit). Pure.
 *
 * Each account has its own chain (entries with no account, such as a request with an unknown key,
 * form the "system" chain), so verifying one account's log never reads, or names, another
 * account's entries. An entry's hash is SHA-256 over the previous entry's hash and a canonical
 * serialisation of every stored field, including its id and position, so editing, deleting,
 * reordering or re-numbering any row breaks the chain at that row or the one after it.
 */
import { createHash } from 'node:crypto';

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
export function chainEntry(
  previous: Pick<AuditEntry, 'sequence' | 'hash'> | null,
  id: string,
  fields: AuditFields,
): AuditEntry {
  const sanitized = sanitizeAuditFields(fields);
  const sequence = previous ? previous.sequence + 1 : 1;
  const previousHash = previous ? previous.hash : GENESIS_HASH;
  const hash = chainHash(previousHash, canonicalAuditEntry({ ...sanitized, id, sequence }));
  return { ...sanitized, id, sequence, previousHash, hash };
}

export type ChainVerdict =
  | { readonly ok: true; readonly checked: number; readonly lastHash: string }
  | {
      readonly ok: false;
      readonly checked: number;
      readonly firstBroken: { readonly id: string; readonly sequence: number; readonly reason: string };
    };

/** Walks one chain in sequence order and names the first entry that does not fit. */
export function verifyChain(entries: Iterable<AuditEntry>): ChainVerdict {
  let previousHash = GENESIS_HASH;
  let expectedSequence = 1;
  let checked = 0;
  for (const entry of entries) {
    const broken = (reason: string): ChainVerdict => ({
      ok: false,
      checked,
      firstBroken: { id: entry.id, sequence: entry.sequence, reason },
    });
    if (entry.sequence !== expectedSequence) {
      return broken(`expected sequence ${expectedSequence} but found ${entry.sequence}: an entry is missing or was moved`);
    }
    if (entry.previousHash !== previousHash) {
      return broken('previous_hash does not match the hash of the entry before it');
    }
    const recomputed = chainHash(previousHash, canonicalAuditEntry(entry));
    if (recomputed !== entry.hash) {
      return broken('the entry was changed after it was written (its hash does not match its contents)');
    }
    previousHash = entry.hash;
    expectedSequence += 1;
    checked += 1;
  }
  return { ok: true, checked, lastHash: previousHash };
}
