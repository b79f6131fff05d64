/**
 * Time is injected everywhere it matters (expiry, grace periods, idempotency windows), so tests
 * drive it with a manual clock instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};
