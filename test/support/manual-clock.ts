/** A Clock that moves only when a test says so: expiry and grace periods without sleeping. */
import type { Clock } from '../../control-plane/src/clock';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string | number = '2030-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new RangeError(`invalid start time ${String(start)}`);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(time: Date | string | number): void {
    const next = new Date(time).getTime();
    if (Number.isNaN(next)) throw new RangeError(`invalid time ${String(time)}`);
    this.current = next;
  }

  /** Moves forward (or backward, with a negative value) by `milliseconds`. */
  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}
