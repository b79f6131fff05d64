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
 *
 * A few writes cannot change anything a cache holds, yet happen on every change request: the audit
 * entry each one appends, and a freshly minted key. Counting them would empty every cache on every
 * mint, so the next request of the same key pays for its key, principal and teams again. Such a
 * write runs through `cacheNeutralWrite`, and the rows it wrote are left out of the stamp.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

export type ChangeStamp = () => number;

export const DATA_VERSION_CHECK_MS = 50;

/** Per connection: rows written by cache-neutral writes so far, which the stamp does not count. */
interface NeutralTally {
  readonly totalChanges: Statement;
  rows: number;
  /** Nesting depth, so a neutral write inside another is counted once, by the outermost. */
  depth: number;
}

const tallies = new WeakMap<Db, NeutralTally>();

function tallyOf(db: Db): NeutralTally {
  let tally = tallies.get(db);
  if (!tally) {
    tally = { totalChanges: db.prepare('SELECT total_changes()').pluck(), rows: 0, depth: 0 };
    tallies.set(db, tally);
  }
  return tally;
}

/**
 * Runs a write that no cache built on the change stamp can depend on, and keeps the rows it wrote
 * out of the stamp. Only for rows no cache reads (the audit log) or rows that are new and that no
 * cache can have looked up before they existed (a key and its secret at mint: the authenticator
 * caches only secrets it found, never a miss). Anything else that reaches one of these writes
 * (another statement in the same transaction outside the callback) still moves the stamp. A write
 * that throws is not exempted: the stamp moves, and the caches start over.
 */
export function cacheNeutralWrite<Result>(db: Db, write: () => Result): Result {
  const tally = tallyOf(db);
  if (tally.depth > 0) return write();
  const before = tally.totalChanges.get() as number;
  tally.depth += 1;
  let result: Result;
  try {
    result = write();
  } finally {
    tally.depth -= 1;
  }
  tally.rows += (tally.totalChanges.get() as number) - before;
  return result;
}

export function changeStamp(db: Db, clock: () => number = () => performance.now()): ChangeStamp {
  const tally = tallyOf(db);
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let version = dataVersion.get() as number;
  let checkedAt = clock();
  return () => {
    const now = clock();
    if (now - checkedAt >= DATA_VERSION_CHECK_MS || now < checkedAt) {
      version = dataVersion.get() as number;
      checkedAt = now;
    }
    return ((tally.totalChanges.get() as number) - tally.rows) * 4294967296 + version;
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
