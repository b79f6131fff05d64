/** The only form in which a secret is stored: HMAC-SHA256(pepper, secret). */
import { KeyObject, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/**
 * The pepper as a key object, made once by whoever hashes on every request (the authenticator):
 * createHmac then skips turning the raw bytes into a key each time. Same HMAC either way.
 */
export function pepperKey(pepper: Buffer): KeyObject {
  return createSecretKey(pepper);
}

export function hashSecret(pepper: Buffer | KeyObject, secret: string): Buffer {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest();
}

export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
