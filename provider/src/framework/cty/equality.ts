import { canonicalNumberText } from './numbers';
import { inferType } from './msgpack';
import { typesEqual, type CtyType } from './types';
import { DecimalNumber, Dynamic, Unknown, type Value } from './values';

/**
 * cty equality of two values of one type: numbers compare by exact value whatever their JS
 * form, sets ignore order, an unknown equals only another unknown (refinements aside).
 */
export function valuesEqual(type: CtyType, a: Value | undefined, b: Value | undefined): boolean {
  const left = a ?? null;
  const right = b ?? null;
  if (left === null || right === null) return left === right;
  if (left instanceof Unknown || right instanceof Unknown) return left instanceof Unknown && right instanceof Unknown;
  switch (type.kind) {
    case 'string':
    case 'bool':
      return left === right;
    case 'number':
      return canonicalNumberText(left as number | bigint | DecimalNumber) === canonicalNumberText(right as number | bigint | DecimalNumber);
    case 'list':
    case 'tuple': {
      const leftItems = left as Value[];
      const rightItems = right as Value[];
      if (leftItems.length !== rightItems.length) return false;
      return leftItems.every((item, index) => valuesEqual(type.kind === 'list' ? type.element : type.elements[index], item, rightItems[index]));
    }
    case 'set': {
      const leftItems = left as Value[];
      const rightItems = [...(right as Value[])];
      if (leftItems.length !== rightItems.length) return false;
      for (const item of leftItems) {
        const match = rightItems.findIndex((candidate) => valuesEqual(type.element, item, candidate));
        if (match < 0) return false;
        rightItems.splice(match, 1);
      }
      return true;
    }
    case 'map': {
      const leftEntries = left as { [key: string]: Value };
      const rightEntries = right as { [key: string]: Value };
      const keys = Object.keys(leftEntries);
      if (keys.length !== Object.keys(rightEntries).length) return false;
      return keys.every((key) => key in rightEntries && valuesEqual(type.element, leftEntries[key], rightEntries[key]));
    }
    case 'object': {
      const leftObject = left as { [key: string]: Value };
      const rightObject = right as { [key: string]: Value };
      return Object.entries(type.attributes).every(([name, attributeType]) => valuesEqual(attributeType, leftObject[name], rightObject[name]));
    }
    case 'dynamic': {
      const leftDynamic = left instanceof Dynamic ? left : new Dynamic(inferType(left), left);
      const rightDynamic = right instanceof Dynamic ? right : new Dynamic(inferType(right), right);
      return typesEqual(leftDynamic.type, rightDynamic.type) && valuesEqual(leftDynamic.type, leftDynamic.value, rightDynamic.value);
    }
  }
}
