/**
 * PostgreSQL's advisory locks are keyed by one 64-bit integer; our locks are named. The key is the
 * first 8 bytes of the name's SHA-256, read as a signed integer: the same in every process, replica
 * and version of the code (a JavaScript string hash or a registry of numbers would not be), and two
 * names colliding is a 2^-64 chance that would only make two unrelated writers wait for each other.
 */
import { createHash } from 'node:crypto';

/** The key as decimal text, which is how a BIGINT parameter travels. */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest().readBigInt64BE(0).toString();
}
