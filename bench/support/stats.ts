/** Reducing several rounds of one measurement to the numbers the benches print. */
import type { Measurement } from './measure';

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
export const best = (values: readonly number[]) => Math.max(...values);
export const lowest = (values: readonly number[]) => Math.min(...values);
export const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')}`.padStart(7);
export const ms = (n: number) => `${n} ms`;

export const format = (m: Measurement) =>
  `${m.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${String(m.p50Ms).padStart(4)} ms  p99 ${String(m.p99Ms).padStart(4)} ms` +
  (m.non2xx + m.errors > 0 ? `  (non-2xx ${m.non2xx}, errors ${m.errors})` : '');
