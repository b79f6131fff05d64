/**
 * Applies what a schema declares per attribute (validators, "at most one of", defaults, semantic
 * equality, plan modifiers), so providers write such rules once, as data, instead of in every
 * resource's hooks.
 */
import { isUnknown, type ObjectValue, type Value } from '../cty/values';
import { AttributePath } from '../diagnostics/attribute-path';
import type { Diagnostics } from '../diagnostics/diagnostics';
import type { BlockSchema } from './schema';

const isSet = (value: Value | undefined): boolean => value !== null && value !== undefined;

function listOfNames(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Attribute validators on known, non-null values, then the "at most one of" groups. */
export function validateDeclarations(block: BlockSchema, config: ObjectValue, diagnostics: Diagnostics): void {
  for (const [name, attribute] of Object.entries(block.attributes)) {
    const value = config[name];
    if (!attribute.validators || !isSet(value) || isUnknown(value)) continue;
    const path = AttributePath.root(name);
    for (const validator of attribute.validators) validator(value as Value, { config, path, diagnostics });
  }
  for (const group of block.atMostOneOf ?? []) {
    const present = group.attributes.filter((name) => isSet(config[name]));
    for (const extra of present.slice(1)) {
      diagnostics.error(
        'Conflicting attributes',
        `At most one of ${listOfNames(group.attributes)} may be set; ${present.join(' and ')} are set. Keep one.${group.reason ? ` ${group.reason}` : ''}`,
        AttributePath.root(extra),
      );
    }
  }
}

/** On create: declared defaults for attributes the configuration leaves null. */
export function applyDefaults(block: BlockSchema, config: ObjectValue, planned: ObjectValue): void {
  for (const [name, attribute] of Object.entries(block.attributes)) {
    if (attribute.default !== undefined && config[name] === null) planned[name] = attribute.default;
  }
}

/**
 * Where `next` means the same as `prior` by an attribute's semanticEquals, `next` takes the
 * prior spelling (plans: no diff; refreshes: no drift).
 */
export function keepSemanticallyEqualPrior(block: BlockSchema, prior: ObjectValue, next: ObjectValue): void {
  for (const [name, attribute] of Object.entries(block.attributes)) {
    if (!attribute.semanticEquals) continue;
    const before = prior[name];
    const after = next[name];
    if (!isSet(before) || !isSet(after) || isUnknown(before) || isUnknown(after)) continue;
    if (before !== after && attribute.semanticEquals(before as Value, after as Value)) next[name] = before as Value;
  }
}
