import fc from 'fast-check';
import { decodeJsonValue, parseJson, parseJsonPreservingNumbers } from '../../../../provider/src/framework/cty/json';
import { types } from '../../../../provider/src/framework/cty/types';
import { DecimalNumber, Dynamic } from '../../../../provider/src/framework/cty/values';

describe('state JSON decoding (UpgradeResourceState)', () => {
  const thingType = types.object({
    id: types.string,
    size: types.number,
    tags: types.set(types.string),
    labels: types.map(types.string),
    nested: types.list(types.object({ port: types.number, name: types.string })),
    extra: types.dynamic,
  });

  it('fills attributes missing from the stored JSON with null', () => {
    expect(decodeJsonValue(thingType, '{"id":"t-1","tags":["a"]}')).toEqual({ id: 't-1', size: null, tags: ['a'], labels: null, nested: null, extra: null });
  });

  it('drops attributes the schema no longer has when asked to, and rejects them otherwise', () => {
    const text = '{"id":"t-1","removed_attribute":true}';
    expect(decodeJsonValue(thingType, text, { dropUnknownAttributes: true })).toMatchObject({ id: 't-1' });
    expect(() => decodeJsonValue(thingType, text)).toThrow('unsupported attribute "removed_attribute"');
  });

  it('keeps big integers and inexact decimals exact', () => {
    const decoded = decodeJsonValue(types.list(types.number), '[9223372036854775807, 0.1, 1.5, 12345678901234567890123]') as unknown[];
    expect(decoded).toEqual([9223372036854775807n, new DecimalNumber('0.1'), 1.5, 12345678901234567890123n]);
  });

  it('reads nested objects, maps and dynamic values with their type', () => {
    const decoded = decodeJsonValue(
      thingType,
      '{"id":"x","labels":{"a":"1"},"nested":[{"port":443}],"extra":{"type":["list","string"],"value":["v"]}}',
    ) as Record<string, unknown>;
    expect(decoded.labels).toEqual({ a: '1' });
    expect(decoded.nested).toEqual([{ port: 443, name: null }]);
    expect(decoded.extra).toEqual(new Dynamic(types.list(types.string), ['v']));
  });

  it('accepts numbers written as strings, as go-cty does', () => {
    expect(decodeJsonValue(types.number, '"42"')).toBe(42);
  });

  it('reports malformed JSON with its offset', () => {
    expect(() => parseJsonPreservingNumbers('{"a": tru}')).toThrow(/invalid JSON at offset/);
    expect(() => parseJsonPreservingNumbers('{"a": 1} x')).toThrow('trailing characters');
    expect(() => decodeJsonValue(thingType, '{"id": 5}')).not.toThrow();
    expect(() => decodeJsonValue(thingType, '{"id": []}')).toThrow('id: expected a string');
  });

  it('parses the same trees as JSON.parse apart from number precision', () => {
    const text = '{"s":"a\\"b\\u00e9","t":true,"f":false,"n":null,"arr":[1,[],{}],"e":-1.5e3}';
    const tree = parseJsonPreservingNumbers(text) as Record<string, unknown>;
    expect(tree.s).toBe(JSON.parse(text).s);
    expect([tree.t, tree.f, tree.n]).toEqual([true, false, null]);
    expect(decodeJsonValue(types.number, '-1.5e3')).toBe(-1500);
  });

  it("gives the exact parser's tree whether or not the text holds numbers (JSON.parse is only a shortcut)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(parseJson(text)).toEqual(parseJsonPreservingNumbers(text));
      }),
      { numRuns: 500 },
    );
    expect(parseJson('{"big":12345678901234567890123}')).toEqual(parseJsonPreservingNumbers('{"big":12345678901234567890123}'));
    expect(() => parseJson('{"a": tru}')).toThrow(/invalid JSON at offset 6/);
  });
});
