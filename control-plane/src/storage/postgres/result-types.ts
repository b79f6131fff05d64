/**
 * How this pool reads result columns. Times are integer milliseconds in BIGINT columns and
 * `count(*)` is a BIGINT too, which node-postgres hands back as strings by default (an INT8 may
 * exceed 2^53); `sum()` over integers is a NUMERIC. Repositories are written once for both engines
 * and expect numbers, as better-sqlite3 gives them. Every value we store fits a double exactly
 * (milliseconds since 1970, counts), so they are read as numbers, and one that would not fit is an
 * error rather than a silently rounded number. Set on our pool only, never on node-postgres's
 * global parsers, so nothing else in the process changes behaviour.
 */
import { types, type CustomTypesConfig } from 'pg';

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`BIGINT ${text} does not fit a JavaScript number exactly`);
  return value;
}

function parseNumeric(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new RangeError(`NUMERIC ${text} is not a finite JavaScript number`);
  if (/^-?\d+$/.test(text) && !Number.isSafeInteger(value)) throw new RangeError(`NUMERIC ${text} does not fit a JavaScript number exactly`);
  return value;
}

export const RESULT_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === types.builtins.INT8) return parseInt8;
      if (oid === types.builtins.NUMERIC) return parseNumeric;
    }
    return types.getTypeParser(oid, format as 'text');
  }) as CustomTypesConfig['getTypeParser'],
};
