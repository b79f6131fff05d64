import { DecimalNumber, type CtyNumber } from './values';

const INT64_MIN = -(2n ** 63n);
// go-cty reads both int64 and uint64, so the integer range on the wire is [-2^63, 2^64 - 1].
const UINT64_MAX = 2n ** 64n - 1n;
// Exponents past this are not integers anyone writes in Terraform; keep them as text rather
// than allocate an enormous BigInt.
const LARGEST_EXPANDED_EXPONENT = 400;

/**
 * Reads a decimal number exactly as cty would: integers become number (safe range) or bigint,
 * non-integers become a float64 only when that float64 is exactly the decimal, otherwise a
 * DecimalNumber. WHY: sending 0.1 back as float64 would be 0.1000000000000000055… to Terraform,
 * which then reports that the provider changed the value.
 */
export function numberFromDecimalText(text: string): CtyNumber {
  const trimmed = text.trim();
  const { sign, digits, exponent } = parseDecimal(trimmed);
  if (digits === '0') return 0;
  if (exponent >= 0) {
    if (exponent > LARGEST_EXPANDED_EXPONENT) return new DecimalNumber(trimmed);
    const integer = BigInt(sign + digits) * 10n ** BigInt(exponent);
    return numberFromInteger(integer);
  }
  const asFloat = Number(trimmed);
  if (Number.isFinite(asFloat) && exactDecimalOfFloat(asFloat) === canonicalDecimal(sign, digits, exponent)) return asFloat;
  return new DecimalNumber(trimmed);
}

/** Splits decimal text into sign, significant digits (no leading/trailing zeros) and a power of ten. */
function parseDecimal(text: string): { sign: string; digits: string; exponent: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) throw new Error(`not a number: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  return stripTrailingZeros(sign, (whole + fraction).replace(/^0+(?=\d)/, ''), Number(exponentText) - fraction.length);
}

function stripTrailingZeros(sign: string, digits: string, exponent: number): { sign: string; digits: string; exponent: number } {
  let trimmedDigits = digits;
  let trimmedExponent = exponent;
  while (trimmedDigits.length > 1 && trimmedDigits.endsWith('0')) {
    trimmedDigits = trimmedDigits.slice(0, -1);
    trimmedExponent += 1;
  }
  return trimmedDigits === '0' ? { sign: '', digits: '0', exponent: 0 } : { sign, digits: trimmedDigits, exponent: trimmedExponent };
}

/** The exact value of a finite float64 as "sign digits e exponent", trailing zeros removed. */
function exactDecimalOfFloat(value: number): string {
  let mantissa = Math.abs(value);
  let binaryExponent = 0;
  // Doubling is exact, so this finds m, e with |value| = m * 2^-e and m an integer.
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    binaryExponent += 1;
  }
  // m * 2^-e = m * 5^e * 10^-e
  const { sign, digits, exponent } = stripTrailingZeros(value < 0 ? '-' : '', (BigInt(mantissa) * 5n ** BigInt(binaryExponent)).toString(), -binaryExponent);
  return canonicalDecimal(sign, digits, exponent);
}

function canonicalDecimal(sign: string, digits: string, exponent: number): string {
  return `${sign}${digits}e${exponent}`;
}

/** Normalises a number that arrived as a msgpack integer (number or bigint). */
export function numberFromInteger(value: number | bigint): CtyNumber {
  if (typeof value === 'number') return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** What goes on the msgpack wire for a number: an integer, float64 or decimal text, as go-cty does. */
export function numberToWire(value: CtyNumber): number | bigint | string {
  if (value instanceof DecimalNumber) return value.text;
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= UINT64_MAX ? value : value.toString();
  if (Number.isNaN(value)) throw new Error('NaN is not a cty number');
  return value;
}

/** Exact canonical text of any cty number, used to compare numbers held in different JS forms. */
export function canonicalNumberText(value: CtyNumber): string {
  if (value instanceof DecimalNumber) {
    const parsed = numberFromDecimalText(value.text);
    return parsed instanceof DecimalNumber ? decimalKey(parsed.text) : canonicalNumberText(parsed);
  }
  if (typeof value === 'bigint') return decimalKey(value.toString());
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) && Number.isSafeInteger(value) ? decimalKey(String(value)) : exactDecimalOfFloat(value);
}

function decimalKey(text: string): string {
  const { sign, digits, exponent } = parseDecimal(text);
  return canonicalDecimal(sign, digits, exponent);
}

/** Convenience for resource code: any cty number as a JS number (may round). */
export function toJsNumber(value: CtyNumber): number {
  return value instanceof DecimalNumber ? value.toNumber() : Number(value);
}

/** Decimal text of any cty number that numberFromDecimalText reads back to the same value (for storing numbers as text). */
export function numberToText(value: CtyNumber): string {
  if (value instanceof DecimalNumber) return value.text;
  const shortest = value.toString();
  if (typeof value === 'bigint' || !Number.isFinite(value)) return shortest;
  // JS prints the shortest text that rounds to the double, which reads back as a (different)
  // exact decimal unless that text happens to be exact; fall back to the double's full expansion.
  if (typeof numberFromDecimalText(shortest) === 'number') return shortest;
  return exactDecimalOfFloat(value);
}
