import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { decodeMsgpack, encodeMsgpack } from '../../../../provider/src/framework/cty/msgpack';
import { types, type CtyType } from '../../../../provider/src/framework/cty/types';
import { DecimalNumber, Dynamic, isUnknown, Unknown, unknown, type Value } from '../../../../provider/src/framework/cty/values';
import { valuesEqual } from '../../../../provider/src/framework/cty/equality';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const roundTrip = (type: CtyType, value: Value): Value => decodeMsgpack(type, encodeMsgpack(type, value));

describe('cty msgpack codec', () => {
  it('encodes an unknown as extension 0 with a one-byte payload (d4 00 00)', () => {
    expect(hex(encodeMsgpack(types.string, unknown))).toBe('d40000');
    expect(hex(encodeMsgpack(types.set(types.string), unknown))).toBe('d40000');
  });

  it('encodes null as msgpack nil and reads empty bytes as null', () => {
    expect(hex(encodeMsgpack(types.string, null))).toBe('c0');
    expect(decodeMsgpack(types.string, new Uint8Array())).toBeNull();
    expect(decodeMsgpack(types.object({ a: types.string }), Uint8Array.from([0xc0]))).toBeNull();
  });

  it('decodes any extension type as unknown', () => {
    expect(isUnknown(decodeMsgpack(types.string, Uint8Array.from([0xd4, 0x00, 0x00])))).toBe(true);
    // ext 0 with a 2-byte payload, as older encoders wrote it
    expect(isUnknown(decodeMsgpack(types.number, Uint8Array.from([0xd5, 0x00, 0x91, 0x00])))).toBe(true);
    expect(isUnknown(decodeMsgpack(types.bool, Uint8Array.from([0xd4, 0x07, 0x01])))).toBe(true);
  });

  it('keeps the refinements of a refined unknown (extension 12)', () => {
    // What Terraform 1.11 sent for "beta-${x.id}": ext 12 {1: false, 2: "beta-"}
    const body = Buffer.from('8201c202a5626574612d', 'hex');
    const bytes = Buffer.concat([Buffer.from([0xc7, body.length, 0x0c]), body]);
    const value = decodeMsgpack(types.string, bytes);
    expect(value).toBeInstanceOf(Unknown);
    expect((value as Unknown).refinements).toEqual({ nullable: false, stringPrefix: 'beta-' });
  });

  it('reads number and collection-length refinements', () => {
    // {3: [1, true], 4: ["10.5", false], 5: 2, 6: 9}
    const body = Buffer.from('84039201c30492a431302e35c205020609', 'hex');
    const value = decodeMsgpack(types.list(types.string), Buffer.concat([Buffer.from([0xc7, body.length, 0x0c]), body])) as Unknown;
    expect(value.refinements).toEqual({
      numberLowerBound: { value: 1, inclusive: true },
      numberUpperBound: { value: 10.5, inclusive: false },
      lengthLowerBound: 2,
      lengthUpperBound: 9,
    });
  });

  it('still reads an unknown whose refinement body is garbage', () => {
    expect(isUnknown(decodeMsgpack(types.string, Uint8Array.from([0xd4, 0x0c, 0xc1])))).toBe(true);
  });

  it('writes numbers as int64, float64 or decimal text like go-cty', () => {
    expect(hex(encodeMsgpack(types.number, 5))).toBe('05');
    expect(hex(encodeMsgpack(types.number, 2n ** 60n))).toBe('cf' + (2n ** 60n).toString(16).padStart(16, '0'));
    expect(hex(encodeMsgpack(types.number, -(2n ** 60n)))).toBe('d3' + (2n ** 64n - 2n ** 60n).toString(16));
    expect(hex(encodeMsgpack(types.number, 1.5))).toBe('cb3ff8000000000000');
    expect(hex(encodeMsgpack(types.number, new DecimalNumber('0.1')))).toBe('a3302e31');
    // beyond the 64-bit integers: decimal text
    expect(hex(encodeMsgpack(types.number, 2n ** 70n))).toBe(hex(encode((2n ** 70n).toString())));
    expect(hex(encodeMsgpack(types.number, -(2n ** 64n)))).toBe(hex(encode((-(2n ** 64n)).toString())));
  });

  it('reads 64-bit integers above 2^53 as BigInt and small ones as number', () => {
    const big = 2n ** 63n - 1n;
    expect(decodeMsgpack(types.number, encode(big, { useBigInt64: true }))).toBe(big);
    expect(decodeMsgpack(types.number, Uint8Array.from([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(2n ** 64n - 1n);
    expect(decodeMsgpack(types.number, encode(42n, { useBigInt64: true }))).toBe(42);
    expect(decodeMsgpack(types.number, encode(-(2n ** 60n), { useBigInt64: true }))).toBe(-(2n ** 60n));
  });

  it('reads floats and decimal strings, keeping inexact decimals exact', () => {
    expect(decodeMsgpack(types.number, encode(0.25))).toBe(0.25);
    expect(decodeMsgpack(types.number, encode('0.25'))).toBe(0.25);
    expect(decodeMsgpack(types.number, encode('123456789012345678901234567890'))).toBe(123456789012345678901234567890n);
    const decimal = decodeMsgpack(types.number, encode('0.1'));
    expect(decimal).toEqual(new DecimalNumber('0.1'));
    expect(hex(encodeMsgpack(types.number, decimal))).toBe(hex(encode('0.1')));
  });

  it('round-trips every type, including nulls and unknowns inside collections', () => {
    const thingType = types.object({
      name: types.string,
      enabled: types.bool,
      count: types.number,
      tags: types.set(types.string),
      ports: types.list(types.number),
      labels: types.map(types.string),
      pair: types.tuple([types.string, types.number]),
      nested: types.object({ inner: types.list(types.object({ id: types.string, weight: types.number })) }),
      anything: types.dynamic,
      missing: types.string,
      pending: types.number,
    });
    const value: Value = {
      name: 'alpha',
      enabled: true,
      count: 2n ** 62n,
      tags: ['b', 'a'],
      ports: [80, 443.5, new DecimalNumber('0.3')],
      labels: { team: 'core', 'with space': 'x', constructor: 'y' },
      pair: ['x', -1],
      nested: {
        inner: [
          { id: 'i1', weight: 1 },
          { id: 'i2', weight: null },
        ],
      },
      anything: new Dynamic(types.list(types.string), ['d']),
      missing: null,
      pending: unknown,
    };
    const decoded = roundTrip(thingType, value) as Record<string, Value>;
    expect(decoded).toEqual(value);
    expect(isUnknown(decoded.pending)).toBe(true);
  });

  it('fills absent object attributes with null and rejects extra ones', () => {
    const objectType = types.object({ a: types.string, b: types.number });
    expect(hex(encodeMsgpack(objectType, { a: 'x' }))).toBe(hex(encode({ a: 'x', b: null })));
    expect(() => encodeMsgpack(objectType, { a: 'x', c: 1 })).toThrow('unexpected attribute "c"');
    expect(decodeMsgpack(objectType, encode({ a: 'x' }))).toEqual({ a: 'x', b: null });
    expect(() => decodeMsgpack(objectType, encode({ a: 'x', zzz: 1 }))).toThrow('unsupported attribute "zzz"');
  });

  it('writes empty lists and sets as empty arrays, never nil', () => {
    expect(hex(encodeMsgpack(types.list(types.string), []))).toBe('90');
    expect(hex(encodeMsgpack(types.set(types.string), []))).toBe('90');
  });

  it('infers a type for plain values in a dynamic slot and writes [type JSON, value]', () => {
    const bytes = encodeMsgpack(types.dynamic, { a: 'x', n: 1 });
    const decoded = decodeMsgpack(types.dynamic, bytes) as Dynamic;
    expect(decoded.type).toEqual(types.object({ a: types.string, n: types.number }));
    expect(decoded.value).toEqual({ a: 'x', n: 1 });
    expect(decodeMsgpack(types.dynamic, encodeMsgpack(types.dynamic, null))).toBeNull();
  });

  it('names the path of a value of the wrong type', () => {
    expect(() => encodeMsgpack(types.object({ tags: types.list(types.string) }), { tags: ['a', 3] })).toThrow(/tags\[1\]: expected a string/);
  });

  it('round-trips arbitrary strings, integers and sets (property)', () => {
    const type = types.object({ s: types.string, n: types.number, set: types.set(types.string), big: types.number });
    fc.assert(
      fc.property(fc.string(), fc.integer(), fc.uniqueArray(fc.string()), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (s, n, set, big) => {
        const value = { s: s.normalize('NFC'), n, set, big: Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big };
        expect(valuesEqual(type, roundTrip(type, value), value)).toBe(true);
      }),
    );
  });

  it('round-trips every finite double exactly (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (number) => {
        const decoded = roundTrip(types.number, number);
        expect(valuesEqual(types.number, decoded, number)).toBe(true);
      }),
    );
  });
});
