/**
 * Denied requests, recorded without letting them fill the disk or slow the refusal down.
 *
 * - Anonymous denials (no key, a malformed or unknown key, an address over its rate limit) and
 *   every rate-limited request are only counted in memory: anyone can produce them at line rate,
 *   so one audit row each would let anyone grow the database without bound. The counts go to the
 *   system chain as one summary entry per interval (and at shutdown), never one row per request.
 * - Denials of a known key (401 for a revoked or expired key, 403, a 404 its constraint caused)
 *   are audited one by one, with the path bounded and secrets blanked by the caller; they are
 *   appended after the response has been written (setImmediate, one batch), so a refusal takes
 *   no longer than any other answer — a 404 outside a constraint is indistinguishable in time
 *   from a 404 for a missing id.
 */
import type { AuditEvent, AuditLog } from './audit-log';

export type AnonymousDenial = 'missing_credentials' | 'invalid_token' | 'rate_limited';

/** How often counted denials are written as one summary entry. */
export const DENIAL_SUMMARY_INTERVAL_MS = 60_000;

export interface DenialRecorderOptions {
  readonly audit: AuditLog;
  /** The time summary entries are stamped with. */
  readonly now: () => Date;
  /** Where a failed write is reported (it must never take a response down with it). */
  readonly report?: (message: string) => void;
}

export class DenialRecorder {
  private readonly pending: Array<{ event: AuditEvent; at: Date }> = [];
  private flushScheduled = false;
  private counts = new Map<AnonymousDenial, number>();
  private readonly timer: NodeJS.Timeout;
  /** Writes under way, so a flush at shutdown waits for them before the database closes. */
  private readonly writing = new Set<Promise<void>>();

  constructor(private readonly options: DenialRecorderOptions) {
    this.timer = setInterval(() => void this.writeSummary(), DENIAL_SUMMARY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Counts an anonymous or rate-limited denial (no audit row of its own). */
  count(kind: AnonymousDenial): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** What has been counted and not yet summarised (for tests and the summary entry). */
  counted(): Readonly<Partial<Record<AnonymousDenial, number>>> {
    return Object.fromEntries(this.counts);
  }

  /** Audits a known key's denial once the current response is out. */
  record(event: AuditEvent, at: Date): void {
    this.pending.push({ event, at });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flushPending());
  }

  /** Writes everything queued and counted now, and waits for every write under way (shutdown). */
  async flush(): Promise<void> {
    await Promise.all([this.flushPending(), this.writeSummary()]);
    await Promise.all(this.writing);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private flushPending(): Promise<void> {
    this.flushScheduled = false;
    const pending = this.pending.splice(0);
    return this.track(
      (async () => {
        // One after another, each on its own: a failed entry does not keep the next from being written.
        for (const { event, at } of pending) await this.safely(() => this.options.audit.record(event, at));
      })(),
    );
  }

  private writeSummary(): Promise<void> {
    if (this.counts.size === 0) return Promise.resolve();
    const counts = this.counts;
    this.counts = new Map();
    const detail = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    return this.track(
      this.safely(() =>
        this.options.audit.record(
          { accountId: null, actorPrincipalId: null, keyId: null, action: 'requests.denied', target: null, sourceIp: null, outcome: 'denied', detail },
          this.options.now(),
        ),
      ),
    );
  }

  /** Runs a write that must never take a response down with it: a failure is reported, never thrown. */
  private async safely(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      (this.options.report ?? ((message) => process.stderr.write(`${message}\n`)))(
        `audit write failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Keeps `writing` (a promise that never rejects) until it settles, for flush() to wait on. */
  private track(writing: Promise<void>): Promise<void> {
    this.writing.add(writing);
    void writing.then(() => this.writing.delete(writing));
    return writing;
  }
}
