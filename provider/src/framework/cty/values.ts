import type { CtyType } from './types';

/**
 * JS representation of cty values, as resource code sees them:
 *   null            -> null
 *   unknown         -> an `Unknown` instance (use `isUnknown`; `unknown` is the plain marker)
 *   string / bool   -> string / boolean
 *   number          -> number (ints up to 2^53, every float64), bigint (larger ints),
 *                      or DecimalNumber (decimals a float64 cannot hold exactly, e.g. 0.1 from HCL)
 *   list/set/tuple  -> array (a set's order carries no meaning)
 *   map / object    -> plain object; an object value always has every attribute key
 *   dynamic         -> a `Dynamic` carrying its concrete type, or a plain JS value whose type is inferred
 */
export type Value = null | Unknown | string | boolean | CtyNumber | Dynamic | Value[] | { [key: string]: Value };

export type ObjectValue = { [attribute: string]: Value };
export type CtyNumber = number | bigint | DecimalNumber;

/** What Terraform told us about a not-yet-known value (msgpack extension 12). */
export interface UnknownRefinements {
  /** false when Terraform promises the final value is not null. */
  nullable?: boolean;
  stringPrefix?: string;
  numberLowerBound?: { value: CtyNumber; inclusive: boolean };
  numberUpperBound?: { value: CtyNumber; inclusive: boolean };
  lengthLowerBound?: number;
  lengthUpperBound?: number;
}

export class Unknown {
  constructor(readonly refinements?: Readonly<UnknownRefinements>) {}
  toString(): string {
    return '(known after apply)';
  }
}

/** The marker resource code uses for "known after apply". */
export const unknown = new Unknown();

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

/** A number kept as its exact decimal text because no float64 represents it exactly. */
export class DecimalNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  }
  toNumber(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/** A value of `dynamic` type together with the concrete type it was sent with. */
export class Dynamic {
  constructor(
    readonly type: CtyType,
    readonly value: Value,
  ) {}
}

/** True when the value contains no unknown anywhere (Terraform requires this of applied state). */
export function isWhollyKnown(value: Value): boolean {
  if (value instanceof Unknown) return false;
  if (value instanceof Dynamic) return isWhollyKnown(value.value);
  if (Array.isArray(value)) return value.every(isWhollyKnown);
  if (value !== null && typeof value === 'object' && !(value instanceof DecimalNumber)) {
    return Object.values(value).every(isWhollyKnown);
  }
  return true;
}
