/**
 * Last-used records (docs/guides/api.md#keys): `last_used_at` / `last_used_ip`, written at most once a minute per
 * key and never on the request's hot path.
 *
 * `touch` only compares two numbers in a Map; a key due for a write is queued and the queue is
 * flushed in one transaction from setImmediate, after the response has been handed to the socket;
 * the request never waits for that write.
 * A minute-old record is good enough for "is this key still used?" and the database sees at most
 * one write per key per minute however hard the key is driven.
 */
export const LAST_USED_INTERVAL_MS = 60_000;

export interface LastUsedSink {
  /** Writes every pending record in one go (one transaction). */
  writeLastUsed(records: ReadonlyArray<{ keyId: string; at: number; ip: string }>): Promise<void>;
}

export class LastUsedRecorder {
  private readonly writtenAt = new Map<string, number>();
  private readonly pending = new Map<string, { at: number; ip: string }>();
  private scheduled: NodeJS.Immediate | null = null;
  /** The write under way, so a flush at shutdown waits for it before the database closes. */
  private writing: Promise<void> = Promise.resolve();
  /** How many rows have been written since start (observability and tests). */
  writes = 0;

  constructor(
    private readonly sink: LastUsedSink,
    private readonly intervalMs: number = LAST_USED_INTERVAL_MS,
    private readonly onError: (error: unknown) => void = (error) => console.error('last-used write failed:', error),
  ) {}

  touch(keyId: string, at: number, ip: string): void {
    const last = this.writtenAt.get(keyId);
    if (last !== undefined && at - last < this.intervalMs && at >= last) return;
    this.writtenAt.set(keyId, at);
    this.pending.set(keyId, { at, ip });
    if (this.scheduled === null) this.scheduled = setImmediate(() => void this.flush());
  }

  /**
   * Writes what is queued now (also awaited on shutdown so nothing queued is lost). Never rejects:
   * a failed write is reported and its keys are written again on their next request.
   */
  flush(): Promise<void> {
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    if (this.pending.size === 0) return this.writing;
    const records = [...this.pending].map(([keyId, { at, ip }]) => ({ keyId, at, ip }));
    this.pending.clear();
    // One write at a time, in the order they were queued: a later record never lands before an earlier one.
    this.writing = this.writing.then(() => this.write(records));
    return this.writing;
  }

  private async write(records: ReadonlyArray<{ keyId: string; at: number; ip: string }>): Promise<void> {
    try {
      await this.sink.writeLastUsed(records);
      this.writes += records.length;
    } catch (error) {
      // Forget the throttle for these keys so the next request retries the write.
      for (const record of records) this.writtenAt.delete(record.keyId);
      this.onError(error);
    }
  }

  /** A revoked or deleted key no longer needs a throttle entry. */
  forget(keyId: string): void {
    this.writtenAt.delete(keyId);
    this.pending.delete(keyId);
  }
}
