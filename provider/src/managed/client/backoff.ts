/**
 * When to try an HTTP request again, and how long to wait first. Pure, so the policy can be
 * property-tested without a clock.
 */
export interface BackoffPolicy {
  /** Total attempts including the first one. */
  readonly maxAttempts: number;
  /** Upper bound of the first retry's delay; doubles with each further retry. */
  readonly baseDelayMs: number;
  /** No computed delay exceeds this. */
  readonly maxDelayMs: number;
  /** A server's Retry-After is honoured up to this bound, so a misconfigured server cannot stall an apply for hours. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/**
 * "Equal jitter" exponential backoff: half the exponential step is guaranteed, the other half is
 * random. The guaranteed half keeps retries from hammering a struggling server; the random half
 * spreads out the many concurrent resources Terraform applies at -parallelism=10.
 *
 * @param retryNumber 1 for the first retry (the second attempt), 2 for the next, ...
 * @param random a number in [0, 1)
 */
export function backoffDelayMs(policy: BackoffPolicy, retryNumber: number, random: number): number {
  const exponent = Math.min(Math.max(retryNumber - 1, 0), 30);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(step / 2 + (step / 2) * random);
}

/**
 * A Retry-After header (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date. Returns the wait
 * in milliseconds, or undefined when the header is absent or unreadable (then backoff applies).
 */
export function parseRetryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-dates start with a day name ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone would read "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The wait before retry number `retryNumber`: the server's Retry-After when it gave one (bounded), else backoff. */
export function retryDelayMs(policy: BackoffPolicy, retryNumber: number, retryAfterMs: number | undefined, random: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelayMs(policy, retryNumber, random);
}
