/** The bounded per-caller limiter (services/rate-limiter.ts). */
import { RateLimiter } from '../../../control-plane/src/services/rate-limiter';

describe('RateLimiter', () => {
  it('limits each caller on its own', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, 100);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', 0).allowed).toBe(true);
    expect(limiter.take('a', 1_000).allowed).toBe(true);
  });

  it('keeps at most its bound of callers, however many there are', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, 1_000);
    for (let i = 0; i < 20_000; i++) limiter.take(`caller-${i}`, 0);
    expect(limiter.size).toBe(1_000);
    // The most recent callers are still limited.
    expect(limiter.take('caller-19999', 0).allowed).toBe(false);
  });
});
