import fc from 'fast-check';
import { backoffDelayMs, DEFAULT_BACKOFF, parseRetryAfterMs, retryDelayMs } from '../../../../provider/src/managed/client/backoff';

describe('backoffDelayMs', () => {
  it('stays within [step/2, step] where step doubles per retry up to the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, random) => {
        const step = Math.min(DEFAULT_BACKOFF.maxDelayMs, DEFAULT_BACKOFF.baseDelayMs * 2 ** Math.min(retry - 1, 30));
        const delay = backoffDelayMs(DEFAULT_BACKOFF, retry, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(delay).toBeLessThanOrEqual(step);
      }),
    );
  });

  it('grows with each retry until it reaches the cap', () => {
    const lows = [1, 2, 3, 4].map((retry) => backoffDelayMs(DEFAULT_BACKOFF, retry, 0));
    expect(lows).toEqual([100, 200, 400, 800]);
    expect(backoffDelayMs(DEFAULT_BACKOFF, 40, 0.999)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxDelayMs);
  });

  it('spreads concurrent retries apart (jitter)', () => {
    expect(backoffDelayMs(DEFAULT_BACKOFF, 3, 0)).not.toBe(backoffDelayMs(DEFAULT_BACKOFF, 3, 0.9));
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-5', now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it("prefers the server's Retry-After, bounded by maxRetryAfterMs", () => {
    expect(retryDelayMs(DEFAULT_BACKOFF, 1, 2500, 0.5)).toBe(2500);
    expect(retryDelayMs(DEFAULT_BACKOFF, 1, 3_600_000, 0.5)).toBe(DEFAULT_BACKOFF.maxRetryAfterMs);
  });

  it('falls back to backoff without Retry-After', () => {
    expect(retryDelayMs(DEFAULT_BACKOFF, 2, undefined, 0)).toBe(backoffDelayMs(DEFAULT_BACKOFF, 2, 0));
  });
});
