/**
 * The pepper keys the HMAC of every stored secret and the idempotency encryption. It never goes
 * into the database: it comes from MANAGED_PEPPER, or from a 0600 file beside the database that
 * the first start creates (exclusively, so a server and a CLI starting together agree on one).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PEPPER_FILE_NAME = 'pepper';
export const MIN_PEPPER_LENGTH = 32;

export function pepperPath(dataDir: string): string {
  return join(dataDir, PEPPER_FILE_NAME);
}

/**
 * Length alone lets 32 spaces through. A pepper must also use at least this many distinct
 * characters (any random secret does: base64 of 32 random bytes uses about 30), which refuses
 * whitespace, one repeated character and short repeated patterns such as "abababab…".
 */
export const MIN_PEPPER_DISTINCT_CHARACTERS = 8;

/** Why `pepper` is too weak to key secrets with, or undefined when it will do. */
export function pepperWeakness(pepper: string): string | undefined {
  if (pepper.length < MIN_PEPPER_LENGTH) return `must be at least ${MIN_PEPPER_LENGTH} characters long`;
  if (pepper.trim() === '') return 'must not be only whitespace';
  if (new Set(pepper).size < MIN_PEPPER_DISTINCT_CHARACTERS) {
    return `must use at least ${MIN_PEPPER_DISTINCT_CHARACTERS} different characters (use a random secret, e.g. openssl rand -base64 32)`;
  }
  return undefined;
}

export function loadPepper(dataDir: string, fromEnv: string | undefined): Buffer {
  if (fromEnv !== undefined && fromEnv !== '') {
    const weakness = pepperWeakness(fromEnv);
    if (weakness !== undefined) throw new Error(`MANAGED_PEPPER ${weakness}`);
    return Buffer.from(fromEnv, 'utf8');
  }
  const path = pepperPath(dataDir);
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600); // the umask may have narrowed nothing, but may it never widen it either
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const text = readFileSync(path, 'utf8').trim();
  if (text.length < MIN_PEPPER_LENGTH) throw new Error(`the pepper file ${path} is shorter than ${MIN_PEPPER_LENGTH} characters`);
  return Buffer.from(text, 'utf8');
}
