import fc from 'fast-check';
import { canonicalNumberText, numberFromDecimalText, numberToText } from '../../../../provider/src/framework/cty/numbers';
import { DecimalNumber } from '../../../../provider/src/framework/cty/values';

describe('numberFromDecimalText', () => {
  it.each([
    ['0', 0],
    ['-0.0', 0],
    ['42', 42],
    ['1e3', 1000],
    ['1.50', 1.5],
    ['-2.5e-1', -0.25],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %s as the JS number %p', (text, expected) => {
    expect(numberFromDecimalText(text)).toBe(expected);
  });

  it('reads integers beyond 2^53 as BigInt', () => {
    expect(numberFromDecimalText('9007199254740993')).toBe(9007199254740993n);
    expect(numberFromDecimalText('-1e20')).toBe(-(10n ** 20n));
  });

  it('keeps decimals no float64 represents as DecimalNumber', () => {
    expect(numberFromDecimalText('0.1')).toEqual(new DecimalNumber('0.1'));
    expect(numberFromDecimalText('3.14159265358979323846264338327950288')).toBeInstanceOf(DecimalNumber);
  });

  it('rejects text that is not a number', () => {
    expect(() => numberFromDecimalText('12abc')).toThrow('not a number');
    expect(() => numberFromDecimalText('')).toThrow('not a number');
  });

  it('compares numbers by value across JS forms', () => {
    expect(canonicalNumberText(5)).toBe(canonicalNumberText(5n));
    expect(canonicalNumberText(new DecimalNumber('5.000'))).toBe(canonicalNumberText(5));
    expect(canonicalNumberText(new DecimalNumber('0.1'))).not.toBe(canonicalNumberText(0.1));
  });

  it('numberToText reads back to the same value (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt()), (value) => {
        expect(canonicalNumberText(numberFromDecimalText(numberToText(value)))).toBe(canonicalNumberText(value));
      }),
    );
  });
});
