/**
 * A cheap "has anything been written since?" stamp for in-memory caches of authorization data.
 *
 * `SqlDatabase.changeStamp()` returns a number that differs from every earlier one once anything a
 * cache may hold has changed: this process's own writes move it at once, other processes' or
 * replicas' writes shortly after (see each engine). A cache that keeps the stamp it was filled
 * under and empties itself when the stamp differs can never serve a key, role, membership or tree
 * node older than the last write, with no list of call sites to remember to invalidate.
 *
 * A few writes cannot change anything a cache holds, yet happen on every change request: the audit
 * entry each one appends, and a freshly minted key. Counting them would empty every cache on every
 * mint, so the next request of the same key pays for its key, principal and teams again. Such a
 * write runs inside `SqlDatabase.cacheNeutral`, and its rows are left out of the stamp. Only for
 * rows no cache reads (the audit log) or rows that are new and that no cache can have looked up
 * before they existed (a key and its secret at mint: the authenticator caches only secrets it
 * found, never a miss). A neutral write that throws is not exempted: the stamp moves.
 */
import type { SqlDatabase } from './sql-database';

export type ChangeStamp = () => number;

/** The stamp of `db` as a plain function (what caches take). */
export function stampOf(db: SqlDatabase): ChangeStamp {
  return () => db.changeStamp();
}

/**
 * A map that empties itself whenever the database has changed since it was filled. The loader is
 * given once, at construction, so a lookup on the hot path allocates no closure; a hit hands out
 * the promise stored for the key, so it allocates nothing either. A value whose load saw the stamp
 * move (a write landed while it was read) is handed to its caller but not kept, and concurrent
 * lookups of one key share one load.
 */
export class StampedCache<Value> {
  private readonly entries = new Map<string, Promise<Value>>();
  private stampSeen = Number.NaN;

  constructor(
    private readonly stamp: ChangeStamp,
    private readonly load: (key: string) => Promise<Value>,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): Promise<Value> {
    const stamp = this.stamp();
    if (stamp !== this.stampSeen) {
      this.entries.clear();
      this.stampSeen = stamp;
    }
    // `undefined` is a value worth caching too (an id that names nothing): the map holds promises.
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const loading = this.load(key);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, loading);
    loading.then(
      () => {
        if (this.stamp() !== stamp && this.entries.get(key) === loading) this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === loading) this.entries.delete(key);
      },
    );
    return loading;
  }
}
