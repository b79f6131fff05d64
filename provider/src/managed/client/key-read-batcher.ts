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
  /** Requests sent, by kind: lets tests see that reads were coalesced without timing anything. */
  readonly sent = { batched: 0, single: 0 };

  /** Reads one key, sharing a request with the reads that arrive at about the same time. */
  read(id: string, reader: KeyReader): Promise<KeyRecord | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id, reader, resolve, reject });
      this.scheduleFlush();
    });
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
    if (ids.length <= 1) {
      await this.readEachAlone(batch);
      return;
    }
    const reading = this.readEachAlone(alone);
    try {
      this.sent.batched++;
      const records = new Map((await batchable[0]!.reader.readMany(ids)).map((record) => [record.id, record]));
      for (const pending of batchable) pending.resolve(records.get(pending.id) ?? null);
    } catch (error) {
      if (error instanceof ApiError && !WHOLE_BATCH_STATUSES.has(error.status)) await this.readEachAlone(batchable);
      else for (const pending of batchable) pending.reject(error);
    }
    await reading;
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
