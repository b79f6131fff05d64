/**
 * Per-caller token buckets (domain/token-bucket.ts) kept in a bounded LRU cache: memory stays
 * bounded whatever the number of keys or addresses. A flood of distinct callers can evict a
 * bucket, which then starts full again; that only ever lets an evicted caller burst once more.
 */
import { LRUCache } from 'lru-cache';
import { Bucket, RateLimit, takeToken } from '../domain/token-bucket';

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

const ALLOWED: RateDecision = Object.freeze({ allowed: true });

export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;

  constructor(
    private readonly limit: RateLimit,
    maxCallers: number,
  ) {
    this.buckets = new LRUCache<string, Bucket>({ max: maxCallers });
  }

  take(caller: string, now: number): RateDecision {
    const result = takeToken(this.buckets.get(caller), this.limit, now);
    this.buckets.set(caller, result.bucket);
    return result.allowed ? ALLOWED : { allowed: false, retryAfterSeconds: result.retryAfterSeconds };
  }

  /** How many callers have a bucket now (for tests of the bound). */
  get size(): number {
    return this.buckets.size;
  }
}
