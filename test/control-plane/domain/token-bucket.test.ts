/** Token buckets (domain/token-bucket.ts): the burst, the refill, Retry-After. */
import fc from 'fast-check';
import { Bucket, takeToken } from '../../../control-plane/src/domain/token-bucket';

describe('takeToken', () => {
  const limit = { perSecond: 2, burst: 3 };

  it('allows a burst, then refuses with the seconds until the next token', () => {
    let bucket: Bucket | undefined;
    for (let i = 0; i < 3; i++) {
      const result = takeToken(bucket, limit, 1_000);
      expect(result.allowed).toBe(true);
      bucket = result.bucket;
    }
    const refused = takeToken(bucket, limit, 1_000);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(takeToken(refused.bucket, limit, 1_500).allowed).toBe(true); // half a second = one token at 2/s
  });

  it('rounds Retry-After up to whole seconds for slow rates, and a clock stepping back refills nothing', () => {
    const slow = { perSecond: 0.1, burst: 1 };
    const first = takeToken(undefined, slow, 0);
    expect(takeToken(first.bucket, slow, 0)).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    expect(takeToken(first.bucket, slow, -60_000).allowed).toBe(false);
  });

  it('never allows more than burst + rate × elapsed requests', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 300 }),
        (perSecond, burst, gaps) => {
          const rule = { perSecond, burst };
          let bucket: Bucket | undefined;
          let now = 0;
          let allowed = 0;
          for (const gap of gaps) {
            now += gap;
            const result = takeToken(bucket, rule, now);
            bucket = result.bucket;
            if (result.allowed) allowed++;
            else expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          }
          expect(allowed).toBeLessThanOrEqual(Math.floor(burst + (perSecond * now) / 1000 + 1e-9));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a refused caller that waits Retry-After is allowed', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1000, noNaN: true }), fc.integer({ min: 1, max: 20 }), (perSecond, burst) => {
        let bucket: Bucket | undefined;
        let result = takeToken(bucket, { perSecond, burst }, 0);
        while (result.allowed) result = takeToken((bucket = result.bucket), { perSecond, burst }, 0);
        expect(takeToken(result.bucket, { perSecond, burst }, result.retryAfterSeconds * 1000).allowed).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
