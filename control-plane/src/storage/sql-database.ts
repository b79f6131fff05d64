/**
 * The one door to the database, whichever engine is behind it: better-sqlite3 on a file in
 * MANAGED_DATA_DIR (the embedded default) or a pooled node-postgres connection when
 * MANAGED_DATABASE_URL names a PostgreSQL server. Repositories are written once, against this
 * interface, in SQL both engines accept (docs/guides/decisions.md#storage-engines); what differs
 * between the engines (connections, transactions, locks, change notification) lives behind it.
 *
 * SQL conventions every statement follows:
 * - parameters are positional `?` or named `@name` (never `$1` or `:name`); the PostgreSQL side
 *   rewrites them to `$n`;
 * - times are integer milliseconds (BIGINT on PostgreSQL, read back as numbers), flags are 0/1
 *   integers, binary values are Buffers (BLOB / BYTEA), JSON is stored as text;
 * - upserts use `INSERT … ON CONFLICT (…) DO …`, never `INSERT OR …`.
 */

export type SqlValue = string | number | bigint | Buffer | null;

/** Positional (`?`) or named (`@name`) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  readonly changes: number;
}

export type StorageEngine = 'sqlite' | 'postgres';

export interface TransactionOptions {
  /**
   * Join the open group commit (SQLite): the changes of one event-loop turn share one COMMIT, each
   * in its own savepoint, and the returned promise settles only once that COMMIT is durable. On
   * PostgreSQL every transaction commits on its own. Used by the change committer.
   */
  readonly groupCommit?: boolean;
  /**
   * PostgreSQL: no lock_timeout or statement_timeout inside (postgres-database.ts sets both on
   * every connection). For migrations: DDL on a large table, or waiting for another replica that
   * is migrating, may rightly take longer than a request should.
   */
  readonly unbounded?: boolean;
}

export interface SqlDatabase {
  readonly engine: StorageEngine;

  /** The first row the statement returns, or undefined. */
  get<Row>(sql: string, params?: SqlParams): Promise<Row | undefined>;
  all<Row>(sql: string, params?: SqlParams): Promise<Row[]>;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  /** Several statements without parameters (migrations, test fixtures). */
  exec(sql: string): Promise<void>;

  /**
   * Runs `work` in one transaction and commits it, or rolls it back when `work` throws. Every call
   * on this database made from inside `work` (however deep, across awaits) belongs to that
   * transaction; a nested `transaction` is a savepoint that a throw undoes alone. Writes are
   * serialised with every other writer on the database: SQLite takes its write lock first
   * (BEGIN IMMEDIATE); PostgreSQL runs READ COMMITTED on one pooled connection, and what must be
   * serialised across replicas takes `lock` as well.
   */
  transaction<T>(work: () => Promise<T>, options?: TransactionOptions): Promise<T>;

  /**
   * Inside a transaction: waits until no other transaction, in any process or replica, holds the
   * lock `name`, and holds it until this transaction ends (PostgreSQL: a transaction-level advisory
   * lock; SQLite: nothing to do, its write lock already serialises every writer).
   */
  lock(name: string): Promise<void>;

  /** True while the calling async context is inside `transaction`. */
  readonly inTransaction: boolean;

  /**
   * Runs a write that no cache built on `changeStamp` can depend on (audit entries, idempotency
   * records, a freshly minted key): its rows do not move the stamp, so a mint does not empty
   * every cache of authorization data. See storage/change-stamp.ts.
   */
  cacheNeutral<T>(work: () => Promise<T>): Promise<T>;

  /**
   * Synchronous and cheap, read on every request: a number that differs from any earlier value
   * once anything a cache may hold has changed. This process's own writes move it at once (at
   * commit); other processes' or replicas' writes move it within DATA_VERSION_CHECK_MS (SQLite)
   * or as soon as their notification arrives (PostgreSQL, LISTEN/NOTIFY: well within 1 s).
   */
  changeStamp(): number;

  /** True for a violated UNIQUE or PRIMARY KEY constraint, whichever engine raised it. */
  isUniqueViolation(error: unknown): boolean;

  /** Finishes pending work (the open group commit) and closes every connection. */
  close(): Promise<void>;
}
