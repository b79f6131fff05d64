/**
 * Coalesces key reads into batched requests.
 *
 * Terraform refreshes resources concurrently (-parallelism=10) and each ReadResource asks for one
 * key. One HTTP request per key made the refresh of a few hundred keys spend a quarter of the
 * provider's CPU writing requests, and each read waited for its own round trip. Reads that arrive
 * together (in the same turn of the event loop, or while a batch is in flight) are sent as one
 * `GET /v1/keys?id=…&id=…`; the answer holds the keys the token may see, so an id that is absent
 * is missing or hidden, exactly what a 404 from `GET /v1/keys/{id}` says.
 *
 * A batch the server answers with an error that may belong to one id (400, 404, 5xx after the
 * client's retries) is read again one key at a time, so that error reaches only the resource it
 * belongs to (and a control plane without the batch read still works). A refused token (401,
 * 403) or an unreachable server is the same for every id and fails the whole batch at once.
 *
 * Reads announced ahead ride along. Terraform hands each resource's stored state over
 * (UpgradeResourceState) just before it refreshes it, and at -parallelism=10 the reads of a
 * refresh trickle in one or two at a time: batches held ~2 ids, and a 500-key plan sent ~230
 * requests. So `expect(id)` notes an id whose read is probably coming, and the next batch that is
 * sent anyway (never a request of its own) carries up to MAX_IDS_PER_BATCH of them; their answers
 * wait for their reads. An announcement and an answer fetched ahead each live PREFETCH_LIFETIME_MS
 * (so a walk without reads, apply or -refresh=false, sends no request and soon no rider either);
 * an answer is used once, and never once this process has changed that key (`forget`), even if
 * the change landed while the batch was in flight.
 */
import { idPatternSource, type KeyRecord } from '@managed-dev/contract';
import { ApiError } from './problem';

/** The two reads the batcher chooses between; the client supplies them. */
export interface KeyReader {
  /** GET /v1/keys/{id}: the record, or null when the key is missing or hidden from the token. */
  readOne(id: string): Promise<KeyRecord | null>;
  /** GET /v1/keys?id=…: the records among `ids` the token may see (at most MAX_IDS_PER_BATCH ids). */
  readMany(ids: readonly string[]): Promise<readonly KeyRecord[]>;
}

/** The ids the control plane's batch read accepts; any other id would make it refuse the whole batch. */
const BATCHABLE_ID = new RegExp(idPatternSource('key'));

/** The control plane's limit for one batched read. */
export const MAX_IDS_PER_BATCH = 100;

/**
 * How long an answer fetched ahead may answer its read. Terraform reads a resource milliseconds
 * after handing its state over; anything older is not the refresh it asked for.
 */
export const PREFETCH_LIFETIME_MS = 2_000;

/** Announced ids remembered at most; the oldest are dropped first (an announcement costs nothing if lost). */
const MAX_EXPECTED_IDS = 1_000;

interface FetchedAhead {
  readonly record: KeyRecord | null;
  /** When the answer arrived (the batcher's clock). */
  readonly at: number;
}

interface PendingRead {
  readonly id: string;
  readonly reader: KeyReader;
  resolve(record: KeyRecord | null): void;
  reject(error: unknown): void;
}

/** Answers that speak for the token, not for one id: reading each id again would only repeat them. */
const WHOLE_BATCH_STATUSES = new Set([401, 403]);

export class KeyReadBatcher {
  private queue: PendingRead[] = [];
  private flushScheduled = false;
  private inFlight = false;
  /** Ids whose reads are probably coming, with when they were announced, oldest first. */
  private readonly expected = new Map<string, number>();
  private readonly fetchedAhead = new Map<string, FetchedAhead>();
  /** Riders of the batch in flight: the batch's end, which their reads wait for. */
  private readonly riding = new Map<string, Promise<void>>();
  /** Keys this process changed while a batch was in flight: its answers for them may predate the change. */
  private readonly changedInFlight = new Set<string>();
  /** Requests sent, by kind: lets tests see that reads were coalesced without timing anything. */
  readonly sent = { batched: 0, single: 0 };
  /** Reads answered from a batch that fetched them ahead. */
  answeredAhead = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Reads one key, sharing a request with the reads that arrive at about the same time. */
  read(id: string, reader: KeyReader): Promise<KeyRecord | null> {
    this.expected.delete(id);
    const ride = this.riding.get(id);
    if (ride) return ride.then(() => this.read(id, reader));
    const ahead = this.fetchedAhead.get(id);
    if (ahead) {
      this.fetchedAhead.delete(id);
      if (this.fresh(ahead.at)) {
        this.answeredAhead++;
        return Promise.resolve(ahead.record);
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id, reader, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Notes that `id` will probably be read soon; it rides along with the next batch sent anyway. */
  expect(id: string): void {
    if (!BATCHABLE_ID.test(id)) return;
    this.expected.delete(id);
    this.expected.set(id, this.now());
    if (this.expected.size > MAX_EXPECTED_IDS) this.expected.delete(this.expected.keys().next().value!);
  }

  /**
   * Drops what is known ahead about `id`: this process is changing, or has just changed, the key.
   * Called before a write and again after it.
   */
  forget(id: string): void {
    this.expected.delete(id);
    this.fetchedAhead.delete(id);
    if (this.riding.size > 0) this.changedInFlight.add(id);
  }

  private fresh(at: number): boolean {
    return this.now() - at <= PREFETCH_LIFETIME_MS;
  }

  /** Up to `room` fresh announced ids not already in `ids`, taken off the announcement list. */
  private takeExpected(room: number, ids: ReadonlySet<string>): string[] {
    const taken: string[] = [];
    for (const [id, at] of this.expected) {
      if (taken.length >= room) break;
      this.expected.delete(id);
      if (this.fresh(at) && !ids.has(id)) taken.push(id);
    }
    return taken;
  }

  private scheduleFlush(): void {
    // While a batch is in flight, new reads wait for it to finish and then go together.
    if (this.flushScheduled || this.inFlight || this.queue.length === 0) return;
    this.flushScheduled = true;
    // setImmediate, not a timer: reads that Terraform's RPCs delivered in the same socket read join
    // this batch, and a lone read waits for nothing.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_IDS_PER_BATCH);
    this.inFlight = true;
    try {
      await this.settle(batch);
    } finally {
      this.inFlight = false;
      this.scheduleFlush();
    }
  }

  private async settle(batch: readonly PendingRead[]): Promise<void> {
    // Ids the server's batch read would refuse as a whole (an imported id of another shape) go alone.
    const batchable = batch.filter((pending) => BATCHABLE_ID.test(pending.id));
    const alone = batch.filter((pending) => !BATCHABLE_ID.test(pending.id));
    const ids = [...new Set(batchable.map((pending) => pending.id))];
    const riders = batchable.length > 0 ? this.takeExpected(MAX_IDS_PER_BATCH - ids.length, new Set(ids)) : [];
    if (ids.length + riders.length <= 1) {
      await this.readEachAlone(batch);
      return;
    }
    const reading = this.readEachAlone(alone);
    // A read of a rider that arrives meanwhile waits for this batch instead of asking again.
    let rideOver!: () => void;
    const ride = new Promise<void>((resolve) => (rideOver = resolve));
    for (const id of riders) this.riding.set(id, ride);
    let records: Map<string, KeyRecord>;
    try {
      this.sent.batched++;
      records = new Map((await batchable[0]!.reader.readMany([...ids, ...riders])).map((record) => [record.id, record]));
    } catch (error) {
      // Riders are left to their own reads.
      this.endRide(riders, rideOver);
      if (error instanceof ApiError && !WHOLE_BATCH_STATUSES.has(error.status)) await this.readEachAlone(batchable);
      else for (const pending of batchable) pending.reject(error);
      await reading;
      return;
    }
    for (const pending of batchable) pending.resolve(records.get(pending.id) ?? null);
    // Absent means missing or hidden, as for the reads themselves.
    const at = this.now();
    for (const id of riders) if (!this.changedInFlight.has(id)) this.fetchedAhead.set(id, { record: records.get(id) ?? null, at });
    // Answers whose reads never came (a resource Terraform did not refresh after all) go, oldest first.
    while (this.fetchedAhead.size > MAX_EXPECTED_IDS) this.fetchedAhead.delete(this.fetchedAhead.keys().next().value!);
    this.endRide(riders, rideOver);
    await reading;
  }

  private endRide(riders: readonly string[], rideOver: () => void): void {
    for (const id of riders) this.riding.delete(id);
    // One batch flies at a time: what changed during it matters to no later one.
    this.changedInFlight.clear();
    rideOver();
  }

  private async readEachAlone(reads: readonly PendingRead[]): Promise<void> {
    const byId = new Map<string, PendingRead[]>();
    for (const pending of reads) byId.set(pending.id, [...(byId.get(pending.id) ?? []), pending]);
    await Promise.all(
      [...byId.entries()].map(async ([id, waiting]) => {
        this.sent.single++;
        try {
          const record = await waiting[0]!.reader.readOne(id);
          for (const pending of waiting) pending.resolve(record);
        } catch (error) {
          for (const pending of waiting) pending.reject(error);
        }
      }),
    );
  }
}
