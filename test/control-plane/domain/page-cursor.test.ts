import fc from 'fast-check';
import { decodeCursor, encodeCursor, pageOf } from '../../../control-plane/src/domain/page-cursor';
import { ApiError } from '../../../control-plane/src/domain/errors';

describe('page cursors', () => {
  it('round-trips any position', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string({ minLength: 1, maxLength: 60 }), (createdAt, id) => {
        expect(decodeCursor(encodeCursor({ createdAt, id }))).toEqual({ createdAt, id });
      }),
    );
  });

  it('rejects anything it did not produce with a 400 naming cursor', () => {
    for (const bad of ['', '!!!', 'e30', Buffer.from('[1]').toString('base64url'), Buffer.from('["x","y"]').toString('base64url'), 'a'.repeat(500)]) {
      let caught: unknown;
      try {
        decodeCursor(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ApiError);
      expect((caught as ApiError).status).toBe(400);
      expect((caught as ApiError).errors?.[0]?.parameter).toBe('cursor');
    }
  });

  it('offers a next cursor only when a further row was fetched', () => {
    const rows = [1, 2, 3].map((n) => ({ createdAt: n, id: `x${n}` }));
    expect(pageOf(rows, 3, (r) => r.id)).toEqual({ items: ['x1', 'x2', 'x3'], next_cursor: null });
    const page = pageOf(rows, 2, (r) => r.id);
    expect(page.items).toEqual(['x1', 'x2']);
    expect(decodeCursor(page.next_cursor!)).toEqual({ createdAt: 2, id: 'x2' });
  });
});
