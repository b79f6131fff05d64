/**
 * Encryption of site credentials at rest (docs/guides/api.md#domain: credentials are stored encrypted).
 * AES-256-GCM under a key derived with HKDF from the pepper, which never enters the database, so
 * a copy of the SQLite file alone reveals no password. The credential's id is the additional
 * authenticated data: a ciphertext copied onto another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export class CredentialCipher {
  private readonly key: Buffer;

  constructor(pepper: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', pepper, Buffer.from('managed.dev'), Buffer.from('site-credentials v1'), 32));
  }

  encrypt(plaintext: string, credentialId: string): Buffer {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(credentialId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** Throws when the ciphertext was altered, belongs to another credential or another pepper. */
  decrypt(sealed: Buffer, credentialId: string): string {
    const iv = sealed.subarray(0, IV_LENGTH);
    const tag = sealed.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(credentialId, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(IV_LENGTH + TAG_LENGTH)), decipher.final()]).toString('utf8');
  }
}
