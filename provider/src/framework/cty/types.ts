/**
 * The cty type system Terraform uses for every value crossing the plugin protocol.
 * Types are plain data so they can be compared, printed and serialised to the type JSON that
 * schemas carry (`"string"`, `["set","string"]`, `["object",{"a":"number"}]`).
 */
export type CtyType =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'bool' }
  | { kind: 'dynamic' }
  | { kind: 'list'; element: CtyType }
  | { kind: 'set'; element: CtyType }
  | { kind: 'map'; element: CtyType }
  | { kind: 'object'; attributes: Readonly<Record<string, CtyType>> }
  | { kind: 'tuple'; elements: readonly CtyType[] };

export const types = {
  string: { kind: 'string' } as CtyType,
  number: { kind: 'number' } as CtyType,
  bool: { kind: 'bool' } as CtyType,
  dynamic: { kind: 'dynamic' } as CtyType,
  list: (element: CtyType): CtyType => ({ kind: 'list', element }),
  set: (element: CtyType): CtyType => ({ kind: 'set', element }),
  map: (element: CtyType): CtyType => ({ kind: 'map', element }),
  object: (attributes: Record<string, CtyType>): CtyType => ({ kind: 'object', attributes }),
  tuple: (elements: CtyType[]): CtyType => ({ kind: 'tuple', elements }),
};

export function typeToJson(type: CtyType): unknown {
  switch (type.kind) {
    case 'string':
    case 'number':
    case 'bool':
    case 'dynamic':
      return type.kind;
    case 'list':
    case 'set':
    case 'map':
      return [type.kind, typeToJson(type.element)];
    case 'object':
      return ['object', Object.fromEntries(Object.entries(type.attributes).map(([name, t]) => [name, typeToJson(t)]))];
    case 'tuple':
      return ['tuple', type.elements.map(typeToJson)];
  }
}

export function typeFromJson(json: unknown): CtyType {
  if (json === 'string' || json === 'number' || json === 'bool' || json === 'dynamic') {
    return { kind: json };
  }
  if (Array.isArray(json) && json.length >= 2) {
    const [kind, argument] = json as [unknown, unknown];
    if (kind === 'list' || kind === 'set' || kind === 'map') {
      return { kind, element: typeFromJson(argument) };
    }
    if (kind === 'object' && argument !== null && typeof argument === 'object' && !Array.isArray(argument)) {
      const attributes: Record<string, CtyType> = {};
      for (const [name, attributeType] of Object.entries(argument)) attributes[name] = typeFromJson(attributeType);
      return { kind: 'object', attributes };
    }
    if (kind === 'tuple' && Array.isArray(argument)) {
      return { kind: 'tuple', elements: argument.map(typeFromJson) };
    }
  }
  throw new Error(`not a cty type: ${JSON.stringify(json)}`);
}

export function typesEqual(a: CtyType, b: CtyType): boolean {
  return JSON.stringify(typeToJson(a)) === JSON.stringify(typeToJson(b));
}

export function describeType(type: CtyType): string {
  return JSON.stringify(typeToJson(type));
}
