import { CredentialCipher } from '../../../control-plane/src/domain/credential-cipher';

describe('CredentialCipher', () => {
  const cipher = new CredentialCipher(Buffer.from('p'.repeat(40)));

  it('round-trips and never stores the plaintext', () => {
    const sealed = cipher.encrypt('hunter2-password', 'cred_1');
    expect(sealed.includes(Buffer.from('hunter2-password'))).toBe(false);
    expect(cipher.decrypt(sealed, 'cred_1')).toBe('hunter2-password');
    expect(cipher.encrypt('same', 'cred_1').equals(cipher.encrypt('same', 'cred_1'))).toBe(false);
  });

  it('refuses a ciphertext moved to another credential, altered, or under another pepper', () => {
    const sealed = cipher.encrypt('secret', 'cred_1');
    expect(() => cipher.decrypt(sealed, 'cred_2')).toThrow();
    const altered = Buffer.from(sealed);
    altered[altered.length - 1]! ^= 1;
    expect(() => cipher.decrypt(altered, 'cred_1')).toThrow();
    expect(() => new CredentialCipher(Buffer.from('q'.repeat(40))).decrypt(sealed, 'cred_1')).toThrow();
  });
});
