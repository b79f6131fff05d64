/**
 * A cheap "has anything been written since?" stamp for in-memory caches of authorization data.
 *
 * `total_changes()` moves with every row this connection inserts, updates or deletes, and
 * `data_version` moves whenever another connection (the operator CLI, a second process) commits.
 * A cache that keeps the stamp it was filled under and empties itself when the stamp differs can
 * never serve a key, role, membership or tree node older than the last write, with no list of
 * call sites to remember to invalidate.
 *
 * `total_changes()` costs a tenth of a microsecond and is read every time: this server's own
 * writes (revocations, role changes, memberships) invalidate at once. `data_version` has to look
 * at the WAL index (a few microseconds), so it is re-read at most every DATA_VERSION_CHECK_MS:
 * another process's writes are seen within that window. Only the operator CLI writes from
 * another process, and it only creates accounts.
 */
import type { Db } from './database';

export type ChangeStamp = () => number;

export const DATA_VERSION_CHECK_MS = 50;

export function changeStamp(db: Db, clock: () => number = () => performance.now()): ChangeStamp {
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let version = dataVersion.get() as number;
  let checkedAt = clock();
  return () => {
    const now = clock();
    if (now - checkedAt >= DATA_VERSION_CHECK_MS || now < checkedAt) {
      version = dataVersion.get() as number;
      checkedAt = now;
    }
    return (totalChanges.get() as number) * 4294967296 + version;
  };
}

/**
 * A map that empties itself whenever the database has changed since it was filled. The loader is
 * given once, at construction, so a lookup on the hot path allocates no closure.
 */
export class StampedCache<Value> {
  private readonly entries = new Map<string, Value>();
  private stampSeen = Number.NaN;

  constructor(
    private readonly stamp: ChangeStamp,
    private readonly load: (key: string) => Value,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): Value {
    const stamp = this.stamp();
    if (stamp !== this.stampSeen) {
      this.entries.clear();
      this.stampSeen = stamp;
    }
    // `undefined` is a value worth caching too (an id that names nothing), hence `has`.
    if (this.entries.has(key)) return this.entries.get(key) as Value;
    const value = this.load(key);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
