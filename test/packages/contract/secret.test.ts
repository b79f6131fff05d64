import fc from 'fast-check';
import {
  BASE62_ALPHABET,
  checkSecret,
  checksumOf,
  encodeBase62Fixed,
  generateSecret,
  isWellFormedSecret,
  randomBase62,
  SECRET_LENGTH,
} from '@managed-dev/contract';

describe('secret format', () => {
  test('mdk_ + 40 base62 + 6 base62 checksum', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^mdk_[0-9A-Za-z]{46}$/);
    expect(secret).toHaveLength(SECRET_LENGTH);
    expect(secret.slice(44)).toBe(checksumOf(secret.slice(4, 44)));
    expect(checkSecret(secret)).toEqual({ ok: true });
  });

  test('secrets differ', () => {
    const many = new Set(Array.from({ length: 1000 }, () => generateSecret()));
    expect(many.size).toBe(1000);
  });

  test('property: changing any one character of the random part or the checksum fails the check', () => {
    const secret = generateSecret();
    fc.assert(
      fc.property(fc.integer({ min: 4, max: SECRET_LENGTH - 1 }), fc.constantFrom(...BASE62_ALPHABET), (position, replacement) => {
        fc.pre(secret[position] !== replacement);
        const mutated = secret.slice(0, position) + replacement + secret.slice(position + 1);
        expect(checkSecret(mutated)).toEqual({ ok: false, reason: 'checksum' });
      }),
      { numRuns: 500 },
    );
  });

  test('property: generated secrets always pass', () => {
    fc.assert(
      fc.property(fc.integer(), () => isWellFormedSecret(generateSecret())),
      { numRuns: 200 },
    );
  });

  test.each([
    '',
    'mdk_',
    'mdk_short',
    `MDK_${'a'.repeat(46)}`,
    `mdk_${'a'.repeat(45)}`,
    `mdk_${'a'.repeat(47)}`,
    `mdk_${'-'.repeat(46)}`,
    `ghp_${'a'.repeat(46)}`,
  ])('%p is malformed', (text) => {
    expect(checkSecret(text)).toEqual({ ok: false, reason: 'shape' });
  });

  test('the random source is used with rejection sampling (bytes >= 248 are skipped, no modulo bias)', () => {
    // 248..255 would map to 0..7 again under "% 62"; they must be dropped.
    const bytes = [255, 248, 0, 61, 62, 247, 250, 123];
    let calls = 0;
    const fake = (size: number) => {
      calls++;
      return Buffer.from(Array.from({ length: size }, (_, i) => bytes[i % bytes.length]!));
    };
    expect(randomBase62(5, fake)).toBe(['0', 'z', '0', BASE62_ALPHABET[247 % 62], BASE62_ALPHABET[123 % 62]].join(''));
    expect(calls).toBe(1);
  });

  test('property: randomBase62 is over the alphabet with the requested length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), (length) => {
        const text = randomBase62(length);
        expect(text).toHaveLength(length);
        expect([...text].every((c) => BASE62_ALPHABET.includes(c))).toBe(true);
      }),
    );
  });

  test('the checksum encoding is fixed width and covers all of CRC32', () => {
    expect(encodeBase62Fixed(0, 6)).toBe('000000');
    expect(encodeBase62Fixed(0xffffffff, 6)).toHaveLength(6);
    expect(() => encodeBase62Fixed(62 ** 6, 6)).toThrow(RangeError);
  });
});
