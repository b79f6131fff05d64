import { numberFromDecimalText } from './numbers';
import { typeFromJson, type CtyType } from './types';
import { Dynamic, type Value } from './values';

/**
 * The JSON form of cty values, as Terraform stores resource attributes in state and sends them
 * to UpgradeResourceState. Numbers are read from their source text so big integers and decimals
 * survive exactly (JSON.parse would round them to float64).
 */

/** A JSON number kept as its source text. */
class JsonNumber {
  constructor(readonly text: string) {}
}

type JsonTree = null | boolean | string | JsonNumber | JsonTree[] | { [key: string]: JsonTree };

export interface JsonDecodeOptions {
  /** Drop attributes the schema no longer has instead of failing (what state upgrades need). */
  dropUnknownAttributes?: boolean;
}

/** Decodes state JSON against the current type: missing attributes become null. */
export function decodeJsonValue(type: CtyType, jsonText: string, options: JsonDecodeOptions = {}): Value {
  if (jsonText.trim() === '') return null;
  return fromJsonTree(type, parseJson(jsonText), [], options);
}

/**
 * JSON.parse when the text holds no number, else the exact parser. Terraform sends every resource's
 * state through UpgradeResourceState on every plan, and most states are strings, lists and bools:
 * the native parser is several times faster there (a third of UpgradeResourceState's time in a
 * 500-key plan, measured), and with no number in the tree its result is the same. Invalid JSON
 * also goes to the exact parser, whose error names the offset.
 */
export function parseJson(text: string): JsonTree {
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    return parseJsonPreservingNumbers(text);
  }
  return containsNumber(tree) ? parseJsonPreservingNumbers(text) : (tree as JsonTree);
}

function containsNumber(tree: unknown): boolean {
  if (typeof tree === 'number') return true;
  if (tree === null || typeof tree !== 'object') return false;
  if (Array.isArray(tree)) return tree.some(containsNumber);
  for (const key in tree) if (containsNumber((tree as Record<string, unknown>)[key])) return true;
  return false;
}

function fromJsonTree(type: CtyType, tree: JsonTree, path: string[], options: JsonDecodeOptions): Value {
  const fail = (message: string): never => {
    throw new Error(`${path.length ? path.join('.') : 'value'}: ${message}`);
  };
  if (tree === null) return null;
  switch (type.kind) {
    case 'string':
      if (typeof tree === 'string') return tree;
      // go-cty's JSON decoder converts primitives to string the same way.
      if (tree instanceof JsonNumber) return tree.text;
      if (typeof tree === 'boolean') return String(tree);
      return fail('expected a string');
    case 'bool':
      if (typeof tree === 'boolean') return tree;
      if (tree === 'true' || tree === 'false') return tree === 'true';
      return fail('expected a bool');
    case 'number':
      if (tree instanceof JsonNumber) return numberFromDecimalText(tree.text);
      if (typeof tree === 'string') return numberFromDecimalText(tree);
      return fail('expected a number');
    case 'list':
    case 'set':
      if (!Array.isArray(tree)) return fail(`expected an array for ${type.kind}`);
      return tree.map((element, index) => fromJsonTree(type.element, element, [...path, String(index)], options));
    case 'tuple':
      if (!Array.isArray(tree) || tree.length !== type.elements.length) return fail(`expected a tuple of ${type.elements.length} elements`);
      return tree.map((element, index) => fromJsonTree(type.elements[index], element, [...path, String(index)], options));
    case 'map': {
      if (!isJsonObject(tree)) return fail('expected an object for map');
      const result: { [key: string]: Value } = {};
      for (const [key, element] of Object.entries(tree)) result[key] = fromJsonTree(type.element, element, [...path, key], options);
      return result;
    }
    case 'object': {
      if (!isJsonObject(tree)) return fail('expected an object');
      const result: { [key: string]: Value } = {};
      for (const [name, attributeType] of Object.entries(type.attributes)) {
        result[name] = name in tree ? fromJsonTree(attributeType, tree[name], [...path, name], options) : null;
      }
      if (!options.dropUnknownAttributes) {
        for (const key of Object.keys(tree)) if (!(key in type.attributes)) fail(`unsupported attribute "${key}"`);
      }
      return result;
    }
    case 'dynamic': {
      if (!isJsonObject(tree) || !('type' in tree) || !('value' in tree)) return fail('expected {"type":…,"value":…} for a dynamic value');
      const concreteType = typeFromJson(toPlainJson(tree.type));
      return new Dynamic(concreteType, fromJsonTree(concreteType, tree.value, path, options));
    }
  }
}

function isJsonObject(tree: JsonTree): tree is { [key: string]: JsonTree } {
  return tree !== null && typeof tree === 'object' && !Array.isArray(tree) && !(tree instanceof JsonNumber);
}

function toPlainJson(tree: JsonTree): unknown {
  if (tree instanceof JsonNumber) return Number(tree.text);
  if (Array.isArray(tree)) return tree.map(toPlainJson);
  if (isJsonObject(tree)) return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, toPlainJson(value)]));
  return tree;
}

// Sticky patterns match exactly at lastIndex, so the parser never copies the remaining text.
const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Unescaped string characters are U+0020 and up except `"` and `\` (JSON forbids raw control characters).
const STRING = /"(?:[ !#-[\]-\uffff]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** A small strict JSON parser that differs from JSON.parse only in keeping numbers as text. */
export function parseJsonPreservingNumbers(text: string): JsonTree {
  let position = 0;
  const fail = (message: string): never => {
    throw new Error(`invalid JSON at offset ${position}: ${message}`);
  };
  const skipWhitespace = () => {
    while (position < text.length && ' \t\n\r'.includes(text[position])) position += 1;
  };
  const parseValue = (): JsonTree => {
    skipWhitespace();
    const character = text[position];
    if (character === '{') {
      position += 1;
      const result: { [key: string]: JsonTree } = {};
      skipWhitespace();
      if (text[position] === '}') {
        position += 1;
        return result;
      }
      for (;;) {
        skipWhitespace();
        if (text[position] !== '"') fail('expected a string key');
        const key = parseString();
        skipWhitespace();
        if (text[position] !== ':') fail('expected ":"');
        position += 1;
        Object.defineProperty(result, key, { value: parseValue(), enumerable: true, writable: true, configurable: true });
        skipWhitespace();
        if (text[position] === ',') {
          position += 1;
          continue;
        }
        if (text[position] === '}') {
          position += 1;
          return result;
        }
        fail('expected "," or "}"');
      }
    }
    if (character === '[') {
      position += 1;
      const result: JsonTree[] = [];
      skipWhitespace();
      if (text[position] === ']') {
        position += 1;
        return result;
      }
      for (;;) {
        result.push(parseValue());
        skipWhitespace();
        if (text[position] === ',') {
          position += 1;
          continue;
        }
        if (text[position] === ']') {
          position += 1;
          return result;
        }
        fail('expected "," or "]"');
      }
    }
    if (character === '"') return parseString();
    LITERAL.lastIndex = position;
    const literal = LITERAL.exec(text);
    if (!literal) return fail('unexpected character');
    position += literal[0].length;
    if (literal[0] === 'true') return true;
    if (literal[0] === 'false') return false;
    if (literal[0] === 'null') return null;
    return new JsonNumber(literal[0]);
  };
  const parseString = (): string => {
    STRING.lastIndex = position;
    const match = STRING.exec(text);
    if (!match) return fail('bad string');
    position += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const result = parseValue();
  skipWhitespace();
  if (position !== text.length) fail('trailing characters');
  return result;
}
