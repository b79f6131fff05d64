/**
 * Pure parts of Idempotency-Key handling (docs/guides/api.md#keys): key syntax, request fingerprints, and the
 * encryption of stored responses. A stored response holds a secret, so it is sealed with
 * AES-256-GCM under a key derived (HKDF-SHA256) from the pepper and the idempotency key: the
 * database alone cannot open it, and neither can someone who knows only the idempotency key.
 *
 * Records belong to the calling key, not merely to its principal: the digest and the sealing key
 * both cover the key id, so another key of the same principal (perhaps a much narrower one) sending
 * the same Idempotency-Key and body finds nothing to replay and is judged as a fresh request.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Who an idempotency record belongs to: the calling key (and, redundantly, its principal). */
export interface IdempotencyOwner {
  readonly principalId: string;
  readonly keyId: string;
}

const ownerLabel = (owner: IdempotencyOwner, idempotencyKey: string) => `${owner.principalId}\n${owner.keyId}\n${idempotencyKey}`;

/** 1–255 visible ASCII characters; also the header's pattern in the OpenAPI document. */
export const IDEMPOTENCY_KEY_SYNTAX = /^[\x21-\x7e]{1,255}$/;

export function checkIdempotencyKey(text: string): string | null {
  return IDEMPOTENCY_KEY_SYNTAX.test(text) ? null : 'must be 1 to 255 visible ASCII characters (a UUID is a good choice)';
}

/** Stable JSON: object keys sorted, so the same body in another key order has the same fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestFingerprint(method: string, path: string, body: unknown): Buffer {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`)
    .digest();
}

/** The stored lookup value: an HMAC, so the idempotency key itself is not in the database. */
export function idempotencyKeyDigest(pepper: Buffer, owner: IdempotencyOwner, idempotencyKey: string): Buffer {
  return createHmac('sha256', pepper)
    .update(`idempotency v2\n${ownerLabel(owner, idempotencyKey)}`)
    .digest();
}

function responseKey(pepper: Buffer, owner: IdempotencyOwner, idempotencyKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, 'managed.dev idempotency v2', ownerLabel(owner, idempotencyKey), 32));
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealResponse(pepper: Buffer, owner: IdempotencyOwner, idempotencyKey: string, plaintext: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', responseKey(pepper, owner, idempotencyKey), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws when the blob was not sealed for this pepper, calling key and idempotency key. */
export function openResponse(pepper: Buffer, owner: IdempotencyOwner, idempotencyKey: string, sealed: Buffer): string {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', responseKey(pepper, owner, idempotencyKey), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
