/**
 * Opaque list cursors (docs/guides/api.md#endpoints): the position after the last item of a page, in
 * (created_at, id) order. Encoded as base64url JSON so clients treat it as a token, and decoded
 * strictly: anything a client did not get from us is a 400 naming the `cursor` parameter.
 */
import { validationFailed } from './errors';

export interface PagePosition {
  readonly createdAt: number;
  readonly id: string;
}

export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  const invalid = () => validationFailed([{ parameter: 'cursor', detail: 'is not a cursor returned by this API' }]);
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string' || parsed[1].length === 0) {
    throw invalid();
  }
  return { createdAt: parsed[0] as number, id: parsed[1] as string };
}

/** Builds `{items, next_cursor}` from a page fetched with limit + 1 rows. */
export function pageOf<Row extends { createdAt: number; id: string }, Item>(
  rows: readonly Row[],
  limit: number,
  render: (row: Row) => Item,
): { items: Item[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(render),
    next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
