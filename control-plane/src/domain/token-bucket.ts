/**
 * Token-bucket rate limiting (SPEC §5: every caller is limited). Pure: the bucket is a value, the
 * time is passed in. A bucket holds at most `burst` tokens and refills `perSecond` tokens a
 * second; each request takes one. An empty bucket answers how long until the next token.
 */
export interface RateLimit {
  /** Sustained requests per second. */
  readonly perSecond: number;
  /** Requests allowed at once after a quiet period (the bucket's size). */
  readonly burst: number;
}

export interface Bucket {
  readonly tokens: number;
  /** When `tokens` was measured, epoch ms. */
  readonly at: number;
}

export type TakeResult =
  | { readonly allowed: true; readonly bucket: Bucket }
  | { readonly allowed: false; readonly bucket: Bucket; /** Whole seconds, at least 1 (Retry-After). */ readonly retryAfterSeconds: number };

/** Takes one token from `bucket` (a new caller starts full) at time `now`. */
export function takeToken(bucket: Bucket | undefined, limit: RateLimit, now: number): TakeResult {
  // A clock that steps back never refills (nor drains) a bucket.
  const elapsedSeconds = bucket ? Math.max(0, now - bucket.at) / 1000 : 0;
  const tokens = bucket ? Math.min(limit.burst, bucket.tokens + elapsedSeconds * limit.perSecond) : limit.burst;
  const at = bucket ? Math.max(now, bucket.at) : now;
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, at } };
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
  return { allowed: false, bucket: { tokens, at }, retryAfterSeconds };
}
