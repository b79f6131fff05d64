import { decode, encode, ExtData } from '@msgpack/msgpack';
import { numberFromDecimalText, numberFromInteger, numberToWire } from './numbers';
import { typeFromJson, typeToJson, type CtyType } from './types';
import { DecimalNumber, Dynamic, Unknown, unknown, type CtyNumber, type UnknownRefinements, type Value } from './values';

/**
 * The msgpack wire form of cty values (Terraform's DynamicValue.msgpack), type-directed like
 * go-cty's codec: the schema type decides how each msgpack item is read and written.
 */

// An unrefined unknown is extension 0 with a one-byte payload: d4 00 00. Terraform ≥1.6 rejects
// longer payloads ("unsupported extension type 0x00 with len 2").
const UNKNOWN_WIRE = new ExtData(0, new Uint8Array([0]));
const REFINED_UNKNOWN_EXTENSION = 12;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeMsgpack(type: CtyType, value: Value): Uint8Array {
  return encode(toWire(type, value, []), { useBigInt64: true, ignoreUndefined: false });
}

export function decodeMsgpack(type: CtyType, bytes: Uint8Array): Value {
  // An absent or empty DynamicValue means null.
  if (bytes.length === 0) return null;
  return fromWire(type, decode(bytes, { useBigInt64: true }), []);
}

type WirePath = (string | number)[];

function fail(path: WirePath, message: string): never {
  const where =
    path.length === 0
      ? 'value'
      : path
          .map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`))
          .join('')
          .replace(/^\./, '');
  throw new Error(`${where}: ${message}`);
}

function toWire(type: CtyType, value: Value | undefined, path: WirePath): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Unknown) return UNKNOWN_WIRE;
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') fail(path, `expected a string, got ${describeJs(value)}`);
      return value.normalize('NFC');
    case 'bool':
      if (typeof value !== 'boolean') fail(path, `expected a bool, got ${describeJs(value)}`);
      return value;
    case 'number':
      if (typeof value !== 'number' && typeof value !== 'bigint' && !(value instanceof DecimalNumber)) {
        fail(path, `expected a number, got ${describeJs(value)}`);
      }
      return numberToWire(value);
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) fail(path, `expected an array for ${type.kind}, got ${describeJs(value)}`);
      return value.map((element, index) => toWire(type.element, element, [...path, index]));
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length !== type.elements.length) fail(path, `expected a tuple of ${type.elements.length} elements`);
      return value.map((element, index) => toWire(type.elements[index], element, [...path, index]));
    }
    case 'map': {
      if (!isPlainRecord(value)) fail(path, `expected an object for map, got ${describeJs(value)}`);
      const entries = wireMap();
      for (const [key, element] of Object.entries(value)) entries[key] = toWire(type.element, element, [...path, key]);
      return entries;
    }
    case 'object': {
      if (!isPlainRecord(value)) fail(path, `expected an object, got ${describeJs(value)}`);
      for (const key of Object.keys(value)) {
        if (!(key in type.attributes)) fail(path, `unexpected attribute "${key}"`);
      }
      // Every attribute key must be present (null for null): go-cty rejects partial objects.
      const entries = wireMap();
      for (const [name, attributeType] of Object.entries(type.attributes)) {
        entries[name] = toWire(attributeType, value[name], [...path, name]);
      }
      return entries;
    }
    case 'dynamic': {
      const concrete = value instanceof Dynamic ? value : new Dynamic(inferType(value, path), value);
      return [textEncoder.encode(JSON.stringify(typeToJson(concrete.type))), toWire(concrete.type, concrete.value, path)];
    }
  }
}

/**
 * The encoder writes plain objects as msgpack maps (it ignores JS Map); a prototype-less object
 * keeps keys such as "__proto__" or "constructor" ordinary.
 */
function wireMap(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function fromWire(type: CtyType, wire: unknown, path: WirePath): Value {
  // Any extension (0, refined 12, or anything newer) stands for an unknown value.
  if (wire instanceof ExtData) return decodeUnknown(wire);
  if (wire instanceof Date) return unknown; // the library maps extension -1 to Date
  if (wire === null) return null;
  switch (type.kind) {
    case 'string':
      if (typeof wire !== 'string') fail(path, `expected a string, got ${describeJs(wire)}`);
      return wire;
    case 'bool':
      if (typeof wire !== 'boolean') fail(path, `expected a bool, got ${describeJs(wire)}`);
      return wire;
    case 'number':
      return numberFromWire(wire, path);
    case 'list':
    case 'set':
      if (!Array.isArray(wire)) fail(path, `expected an array for ${type.kind}`);
      return wire.map((element, index) => fromWire(type.element, element, [...path, index]));
    case 'tuple':
      if (!Array.isArray(wire) || wire.length !== type.elements.length) fail(path, `expected a tuple of ${type.elements.length} elements`);
      return wire.map((element, index) => fromWire(type.elements[index], element, [...path, index]));
    case 'map': {
      const result: { [key: string]: Value } = {};
      for (const [key, element] of wireEntries(wire, path)) result[key] = fromWire(type.element, element, [...path, key]);
      return result;
    }
    case 'object': {
      const received = new Map(wireEntries(wire, path));
      const result: { [key: string]: Value } = {};
      for (const [name, attributeType] of Object.entries(type.attributes)) {
        result[name] = received.has(name) ? fromWire(attributeType, received.get(name), [...path, name]) : null;
      }
      for (const key of received.keys()) {
        if (!(key in type.attributes)) fail(path, `unsupported attribute "${key}"`);
      }
      return result;
    }
    case 'dynamic': {
      if (!Array.isArray(wire) || wire.length !== 2) fail(path, 'expected [type, value] for a dynamic value');
      const [typeBytes, inner] = wire as [unknown, unknown];
      const typeText = typeof typeBytes === 'string' ? typeBytes : textDecoder.decode(typeBytes as Uint8Array);
      const concreteType = typeFromJson(JSON.parse(typeText));
      return new Dynamic(concreteType, fromWire(concreteType, inner, path));
    }
  }
}

function numberFromWire(wire: unknown, path: WirePath): CtyNumber {
  if (typeof wire === 'bigint') return numberFromInteger(wire);
  if (typeof wire === 'number') return wire;
  if (typeof wire === 'string') return numberFromDecimalText(wire);
  fail(path, `expected a number, got ${describeJs(wire)}`);
}

function wireEntries(wire: unknown, path: WirePath): [string, unknown][] {
  if (wire instanceof Map) return [...wire.entries()].map(([key, value]) => [String(key), value]);
  if (wire !== null && typeof wire === 'object' && !Array.isArray(wire) && !(wire instanceof Uint8Array)) {
    return Object.entries(wire);
  }
  fail(path, `expected a msgpack map, got ${describeJs(wire)}`);
}

function decodeUnknown(extension: ExtData): Unknown {
  const payload = extension.data;
  if (extension.type !== REFINED_UNKNOWN_EXTENSION || !(payload instanceof Uint8Array) || payload.length === 0) return unknown;
  try {
    const body = decode(payload, { useBigInt64: true });
    const entries = new Map(wireEntries(body, []));
    const refinements: UnknownRefinements = {};
    const nullable = entries.get('1');
    if (typeof nullable === 'boolean') refinements.nullable = nullable;
    const prefix = entries.get('2');
    if (typeof prefix === 'string') refinements.stringPrefix = prefix;
    const lower = boundFrom(entries.get('3'));
    if (lower) refinements.numberLowerBound = lower;
    const upper = boundFrom(entries.get('4'));
    if (upper) refinements.numberUpperBound = upper;
    const minLength = entries.get('5');
    if (typeof minLength === 'number' || typeof minLength === 'bigint') refinements.lengthLowerBound = Number(minLength);
    const maxLength = entries.get('6');
    if (typeof maxLength === 'number' || typeof maxLength === 'bigint') refinements.lengthUpperBound = Number(maxLength);
    return new Unknown(refinements);
  } catch {
    // Refinements are advisory; a body we cannot read still means "unknown".
    return unknown;
  }
}

function boundFrom(wire: unknown): { value: CtyNumber; inclusive: boolean } | undefined {
  if (!Array.isArray(wire) || wire.length !== 2 || typeof wire[1] !== 'boolean') return undefined;
  return { value: numberFromWire(wire[0], []), inclusive: wire[1] };
}

/** The type a plain JS value gets when it is placed in a `dynamic` slot without a Dynamic wrapper. */
export function inferType(value: Value, path: WirePath = []): CtyType {
  if (typeof value === 'string') return { kind: 'string' };
  if (typeof value === 'boolean') return { kind: 'bool' };
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof DecimalNumber) return { kind: 'number' };
  if (value instanceof Dynamic) return value.type;
  if (value === null || value instanceof Unknown) return { kind: 'dynamic' };
  if (Array.isArray(value)) return { kind: 'tuple', elements: value.map((element, index) => inferType(element, [...path, index])) };
  if (isPlainRecord(value)) {
    return { kind: 'object', attributes: Object.fromEntries(Object.entries(value).map(([key, element]) => [key, inferType(element, [...path, key])])) };
  }
  fail(path, `cannot infer a cty type for ${describeJs(value)}`);
}

function isPlainRecord(value: unknown): value is { [key: string]: Value } {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof DecimalNumber) &&
    !(value instanceof Dynamic) &&
    !(value instanceof Unknown) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Map)
  );
}

function describeJs(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary data';
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : `${typeof value} ${JSON.stringify(String(value))}`;
}
