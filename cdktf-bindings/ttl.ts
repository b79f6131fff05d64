/**
 * Key lifetimes for the ApiKey construct. The grammar and the limits (1h to 365d) are the
 * control plane's own rules, imported rather than restated, so a TTL the construct accepts is
 * one the provider and the API accept too.
 */
import { parseTtl } from '@managed-dev/contract';

/** Builds TTL strings; each rejects a lifetime the control plane would refuse. */
export class Ttl {
  /** `Ttl.minutes(90)` -> "90m" (at least 60). */
  static minutes(count: number): string {
    return Ttl.build(count, 'm');
  }

  /** `Ttl.hours(12)` -> "12h". */
  static hours(count: number): string {
    return Ttl.build(count, 'h');
  }

  /** `Ttl.days(30)` -> "30d" (at most 365). */
  static days(count: number): string {
    return Ttl.build(count, 'd');
  }

  private static build(count: number, unit: 'm' | 'h' | 'd'): string {
    if (!Number.isSafeInteger(count) || count <= 0) {
      throw new RangeError(`a TTL needs a positive whole number, got ${count}`);
    }
    const ttl = `${count}${unit}`;
    const problem = ttlProblem(ttl);
    if (problem) throw new RangeError(problem);
    return ttl;
  }
}

/** Why `ttl` is not an acceptable key lifetime, or undefined when it is. */
export function ttlProblem(ttl: string): string | undefined {
  const parsed = parseTtl(ttl);
  return parsed.ok ? undefined : parsed.message;
}
