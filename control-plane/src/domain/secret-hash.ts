/** The only form in which a secret is stored: HMAC-SHA256(pepper, secret). */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hashSecret(pepper: Buffer, secret: string): Buffer {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest();
}

export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
