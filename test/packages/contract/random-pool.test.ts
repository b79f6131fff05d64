import { randomFillSync } from 'node:crypto';
import fc from 'fast-check';
import { BASE62_ALPHABET, RandomPool, generateSecret, newId, randomBase62 } from '@managed-dev/contract';

/** A fill source writing a running counter, so every byte the pool hands out names its position in the stream. */
function countingSource() {
  let next = 0;
  const fills: number[] = [];
  return {
    fills,
    fill(buffer: Buffer) {
      fills.push(buffer.length);
      for (let i = 0; i < buffer.length; i++) buffer[i] = next++ % 256;
    },
    /** The stream's bytes at positions [from, to). */
    bytes(from: number, to: number) {
      return Buffer.from(Array.from({ length: to - from }, (_, i) => (from + i) % 256));
    },
  };
}

describe('RandomPool', () => {
  test('hands out the drawn bytes in order, each once; a request that does not fit starts a new draw', () => {
    const source = countingSource();
    const pool = new RandomPool(10, (buffer) => source.fill(buffer));
    expect(source.fills).toEqual([]); // nothing drawn before the first take
    expect(pool.take(4)).toEqual(source.bytes(0, 4));
    expect(pool.take(6)).toEqual(source.bytes(4, 10));
    expect(source.fills).toEqual([10]);
    expect(pool.take(3)).toEqual(source.bytes(10, 13));
    // 7 bytes are left in the pool; 8 do not fit, so they come from a fresh draw and the 7 are dropped.
    expect(pool.take(8)).toEqual(source.bytes(20, 28));
    expect(source.fills).toEqual([10, 10, 10]);
    // Larger than the pool: drawn on its own, and the pool's remaining bytes stay unused until asked for.
    expect(pool.take(25)).toEqual(source.bytes(30, 55));
    expect(pool.take(2)).toEqual(source.bytes(28, 30));
    expect(pool.take(0)).toEqual(Buffer.alloc(0));
  });

  test('property: whatever the request sizes, no byte of any draw is handed out twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }), (poolSize, sizes) => {
        // Byte i of every draw is i (draws are at most 200 bytes), so a take's bytes say where in their draw they were.
        const draws: Array<{ length: number; used: boolean[] }> = [];
        const pool = new RandomPool(poolSize, (buffer) => {
          for (let i = 0; i < buffer.length; i++) buffer[i] = i;
          draws.push({ length: buffer.length, used: new Array<boolean>(buffer.length).fill(false) });
        });
        let poolDraw: (typeof draws)[number] | undefined;
        for (const size of sizes) {
          const drawsBefore = draws.length;
          const bytes = pool.take(size);
          if (bytes.length !== size) return false;
          if (size === 0) continue;
          const newDraw = draws.length > drawsBefore ? draws[draws.length - 1] : undefined;
          if (newDraw && newDraw.length === poolSize && size <= poolSize) poolDraw = newDraw;
          const draw = newDraw ?? poolDraw!;
          // A contiguous run of one draw, none of whose bytes was handed out before.
          const first = bytes[0]!;
          for (let i = 0; i < size; i++) {
            if (bytes[i] !== first + i || draw.used[first + i]) return false;
            draw.used[first + i] = true;
          }
        }
        return true;
      }),
    );
  });

  test('zeroes what it handed out, so the pool never holds bytes already given to a caller', () => {
    let pool: Buffer | undefined;
    const random = new RandomPool(32, (buffer) => {
      pool = buffer;
      randomFillSync(buffer);
    });
    const taken = random.take(12);
    expect(pool!.subarray(0, 12)).toEqual(Buffer.alloc(12));
    expect(taken.equals(Buffer.alloc(12))).toBe(false);
    // A copy: changing it does not touch the pool.
    taken.fill(7);
    expect(pool!.subarray(0, 12)).toEqual(Buffer.alloc(12));
    const rest = random.take(20);
    expect(pool!).toEqual(Buffer.alloc(32));
    expect(rest.equals(Buffer.alloc(20))).toBe(false);
  });

  test('refuses sizes that are not whole non-negative numbers', () => {
    expect(() => new RandomPool(0)).toThrow(RangeError);
    const pool = new RandomPool();
    for (const size of [-1, 1.5, Number.NaN]) expect(() => pool.take(size)).toThrow(RangeError);
  });

  test('ids and secrets drawn through the shared pool are all distinct', () => {
    const secrets = new Set(Array.from({ length: 5000 }, () => generateSecret()));
    const ids = new Set(Array.from({ length: 5000 }, () => newId('key')));
    expect(secrets.size).toBe(5000);
    expect(ids.size).toBe(5000);
  });

  test('characters drawn through the shared pool are uniform over the alphabet (chi-square)', () => {
    // 62 × 4000 characters; with 61 degrees of freedom the statistic exceeds 130 with probability
    // below 10⁻⁶ for a uniform source, while a modulo bias (bytes 248–255 folded onto 0–7) or a
    // pool handing the same bytes out twice pushes it far beyond.
    const text = Array.from({ length: 62 * 100 }, () => randomBase62(40)).join('');
    const counts = new Map<string, number>();
    for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
    const expected = text.length / BASE62_ALPHABET.length;
    const chiSquare = [...BASE62_ALPHABET].reduce((sum, character) => sum + ((counts.get(character) ?? 0) - expected) ** 2 / expected, 0);
    expect(counts.size).toBe(62);
    expect(chiSquare).toBeLessThan(130);
  });
});
