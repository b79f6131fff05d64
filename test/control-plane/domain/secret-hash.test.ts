import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { digestsEqual, hashSecret, pepperKey } from '../../../control-plane/src/domain/secret-hash';

describe('secret hash', () => {
  test('property: the pepper as a key object gives the same HMAC-SHA256 as the raw pepper', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 80 }), (pepperBytes, secret) => {
        const pepper = Buffer.from(pepperBytes);
        const expected = createHmac('sha256', pepper).update(secret, 'utf8').digest();
        expect(hashSecret(pepper, secret).equals(expected)).toBe(true);
        expect(hashSecret(pepperKey(pepper), secret).equals(expected)).toBe(true);
      }),
    );
  });

  test('digestsEqual compares content and length', () => {
    const a = randomBytes(32);
    expect(digestsEqual(a, Buffer.from(a))).toBe(true);
    expect(digestsEqual(a, randomBytes(32))).toBe(false);
    expect(digestsEqual(a, a.subarray(0, 31))).toBe(false);
  });
});
