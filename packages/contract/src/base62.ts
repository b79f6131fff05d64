/**
 * Base62 (0-9, A-Z, a-z) helpers shared by secrets and ids. Random characters come from the
 * CSPRNG (through the pool in random-pool.ts) with rejection sampling, so every character is
 * equally likely (no modulo bias).
 */
import { pooledRandomBytes } from './random-pool';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The largest multiple of 62 that fits in a byte: bytes at or above it are thrown away. */
const REJECTION_LIMIT = 62 * 4;

export function randomBase62(length: number, random: (size: number) => Buffer = pooledRandomBytes): string {
  let out = '';
  while (out.length < length) {
    const bytes = random(Math.max(16, Math.ceil((length - out.length) * 1.1)));
    for (const byte of bytes) {
      if (byte >= REJECTION_LIMIT) continue;
      out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Fixed-width base62 rendering of a non-negative integer, left-padded with '0'. */
export function encodeBase62Fixed(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} in base62`);
  let out = '';
  let rest = value;
  do {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  if (out.length > width) throw new RangeError(`${value} does not fit in ${width} base62 characters`);
  return out.padStart(width, '0');
}
