/**
 * API key secrets (docs/guides/api.md#keys): "mdk_" + 40 base62 characters of CSPRNG output + 6 base62 characters
 * of the CRC32 of those 40, so a scanner or a client can reject a mistyped key offline without
 * asking the server. Pure apart from the random source.
 */
import { crc32 } from 'node:zlib';
import { encodeBase62Fixed, randomBase62 } from './base62';
import { pooledRandomBytes } from './random-pool';

export const SECRET_PREFIX = 'mdk_';
export const SECRET_RANDOM_LENGTH = 40;
export const SECRET_CHECKSUM_LENGTH = 6;
export const SECRET_LENGTH = SECRET_PREFIX.length + SECRET_RANDOM_LENGTH + SECRET_CHECKSUM_LENGTH;

const SHAPE = new RegExp(`^${SECRET_PREFIX}([0-9A-Za-z]{${SECRET_RANDOM_LENGTH}})([0-9A-Za-z]{${SECRET_CHECKSUM_LENGTH}})$`);

export function checksumOf(randomPart: string): string {
  return encodeBase62Fixed(crc32(randomPart), SECRET_CHECKSUM_LENGTH);
}

export function generateSecret(random: (size: number) => Buffer = pooledRandomBytes): string {
  const randomPart = randomBase62(SECRET_RANDOM_LENGTH, random);
  return `${SECRET_PREFIX}${randomPart}${checksumOf(randomPart)}`;
}

export type SecretCheck = { ok: true } | { ok: false; reason: 'shape' | 'checksum' };

/** Offline well-formedness check: prefix, length, alphabet and checksum. */
export function checkSecret(text: string): SecretCheck {
  const match = SHAPE.exec(text);
  if (!match) return { ok: false, reason: 'shape' };
  return checksumOf(match[1]!) === match[2] ? { ok: true } : { ok: false, reason: 'checksum' };
}

export function isWellFormedSecret(text: string): boolean {
  return checkSecret(text).ok;
}
