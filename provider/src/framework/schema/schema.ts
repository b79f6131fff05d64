import { typeToJson, type CtyType } from '../cty/types';
import type { ObjectValue, Value } from '../cty/values';
import type { AttributePath } from '../diagnostics/attribute-path';
import type { Diagnostics } from '../diagnostics/diagnostics';

/**
 * Checks one attribute's configured value; runs only when the value is known and not null
 * (Terraform validates again once unknown values are known). Report on `path`.
 */
export type AttributeValidator = (value: Value, context: { config: ObjectValue; path: AttributePath; diagnostics: Diagnostics }) => void;

/** Per-attribute plan logic, run (in declaration order) before the resource's modifyPlan. */
export type AttributePlanModifier = (request: {
  /** null on create. */
  prior: ObjectValue | null;
  config: ObjectValue;
  /** Edit in place. */
  planned: ObjectValue;
  path: AttributePath;
  requireReplacement(path: AttributePath): void;
}) => void;

/** One attribute of a provider, resource or data source schema. */
export interface AttributeSchema {
  type: CtyType;
  description?: string;
  /** Must be set in configuration. Exclusive with `optional` and `computed`. */
  required?: boolean;
  /** May be set in configuration. With `computed`, the provider fills it when the user does not. */
  optional?: boolean;
  /** Set by the provider. Alone: read-only. On create, a computed attribute null in config is planned "known after apply". */
  computed?: boolean;
  /** Masked in Terraform's output ("(sensitive value)"); state still holds it. */
  sensitive?: boolean;
  deprecated?: boolean;
  /** A change of this attribute plans a destroy-and-create instead of an in-place update. */
  requiresReplace?: boolean;
  /** Planned on create when the configuration leaves it null (optional + computed attributes), instead of "known after apply". */
  default?: Value;
  /**
   * Two known values that mean the same ("90d" and "2160h"). A planned or refreshed value equal
   * to the prior one in this sense keeps the prior spelling: no diff, no replacement.
   */
  semanticEquals?: (a: Value, b: Value) => boolean;
  validators?: readonly AttributeValidator[];
  planModifiers?: readonly AttributePlanModifier[];
}

export type BlockNesting = 'single' | 'group' | 'list' | 'set' | 'map';

export interface NestedBlockSchema {
  nesting: BlockNesting;
  block: BlockSchema;
  minItems?: number;
  maxItems?: number;
}

export interface BlockSchema {
  description?: string;
  deprecated?: boolean;
  attributes: Record<string, AttributeSchema>;
  blocks?: Record<string, NestedBlockSchema>;
  /**
   * Groups of attributes of which at most one may be set (an unknown value counts as set);
   * every further one is an error on its own line. `reason` ends the message.
   */
  atMostOneOf?: ReadonlyArray<{ readonly attributes: readonly string[]; readonly reason?: string }>;
}

/** A resource or data source schema: its block plus the version recorded in state. */
export interface VersionedSchema extends BlockSchema {
  /** Bump when stored state needs converting; the resource's `upgradeState` then receives older states. */
  version?: number;
}

/** The object type of a block's values: attributes plus nested block types. */
export function impliedType(block: BlockSchema): CtyType {
  const attributes: Record<string, CtyType> = {};
  for (const [name, attribute] of Object.entries(block.attributes)) attributes[name] = attribute.type;
  for (const [name, nested] of Object.entries(block.blocks ?? {})) {
    const elementType = impliedType(nested.block);
    switch (nested.nesting) {
      case 'single':
      case 'group':
        attributes[name] = elementType;
        break;
      case 'list':
        attributes[name] = { kind: 'list', element: elementType };
        break;
      case 'set':
        attributes[name] = { kind: 'set', element: elementType };
        break;
      case 'map':
        attributes[name] = { kind: 'map', element: elementType };
        break;
    }
  }
  return { kind: 'object', attributes };
}

/** Rejects contradictory definitions at start-up, before Terraform sees a schema it would refuse. */
export function checkBlockSchema(block: BlockSchema, where: string): void {
  for (const [name, attribute] of Object.entries(block.attributes)) {
    const at = `${where}.${name}`;
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${at}: attribute names are lower_snake_case`);
    if (attribute.required && (attribute.optional || attribute.computed)) throw new Error(`${at}: required excludes optional and computed`);
    if (!attribute.required && !attribute.optional && !attribute.computed) throw new Error(`${at}: set one of required, optional or computed`);
    if (attribute.requiresReplace && !attribute.required && !attribute.optional) throw new Error(`${at}: requiresReplace needs a configurable attribute`);
    if (attribute.default !== undefined && !(attribute.optional && attribute.computed))
      throw new Error(`${at}: a default needs an optional and computed attribute`);
  }
  for (const group of block.atMostOneOf ?? []) {
    for (const name of group.attributes) if (!(name in block.attributes)) throw new Error(`${where}: atMostOneOf names unknown attribute ${name}`);
  }
  for (const [name, nested] of Object.entries(block.blocks ?? {})) {
    if (name in block.attributes) throw new Error(`${where}.${name}: both an attribute and a block`);
    checkBlockSchema(nested.block, `${where}.${name}`);
  }
}

const NESTING_NUMBERS: Record<BlockNesting, number> = { single: 1, list: 2, set: 3, map: 4, group: 5 };
const textEncoder = new TextEncoder();

/** The tfplugin6 Schema.Block message, as a plain object for the protobufjs encoder. */
export function blockToProto(block: BlockSchema): object {
  return {
    version: 0,
    description: block.description ?? '',
    description_kind: 0,
    deprecated: block.deprecated ?? false,
    attributes: Object.entries(block.attributes).map(([name, attribute]) => ({
      name,
      type: Buffer.from(textEncoder.encode(JSON.stringify(typeToJson(attribute.type)))),
      description: attribute.description ?? '',
      description_kind: 0,
      required: attribute.required ?? false,
      optional: attribute.optional ?? false,
      computed: attribute.computed ?? false,
      sensitive: attribute.sensitive ?? false,
      deprecated: attribute.deprecated ?? false,
    })),
    block_types: Object.entries(block.blocks ?? {}).map(([name, nested]) => ({
      type_name: name,
      block: blockToProto(nested.block),
      nesting: NESTING_NUMBERS[nested.nesting],
      min_items: nested.minItems ?? 0,
      max_items: nested.maxItems ?? 0,
    })),
  };
}

/** The tfplugin6 Schema message. */
export function schemaToProto(schema: VersionedSchema): object {
  return { version: schema.version ?? 0, block: blockToProto(schema) };
}
