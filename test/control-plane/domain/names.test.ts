/** Names in NFC (domain/names.ts). */
import fc from 'fast-check';
import { withNormalizedName } from '../../../control-plane/src/domain/names';

describe('withNormalizedName', () => {
  it('composes the top-level name and leaves everything else alone', () => {
    const body = { name: 'cafe\u0301', description: 'cafe\u0301', nested: { name: 'cafe\u0301' } };
    expect(withNormalizedName(body)).toEqual({ ...body, name: 'caf\u00e9' });
    expect(withNormalizedName({ name: 7 })).toEqual({ name: 7 });
    const unchanged = { name: 'plain' };
    expect(withNormalizedName(unchanged)).toBe(unchanged);
    expect(withNormalizedName(['cafe\u0301'])).toEqual(['cafe\u0301']);
  });

  it('maps canonically equivalent names to one stored name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (text) => {
        const [a, b] = [withNormalizedName({ name: text.normalize('NFD') }).name, withNormalizedName({ name: text.normalize('NFC') }).name];
        expect(a).toBe(b);
      }),
      { numRuns: 500 },
    );
  });
});
