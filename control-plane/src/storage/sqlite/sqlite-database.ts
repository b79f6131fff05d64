/**
 * SqlDatabase over one better-sqlite3 connection (the embedded default).
 *
 * better-sqlite3 is synchronous, but repositories are async (the same code runs on PostgreSQL), so
 * a transaction's work can now span several turns of the event loop while other requests run. On
 * one connection SQLite has one transaction at a time, so whatever writes is a *unit* that takes
 * turns on `writers`: a transaction, a group-commit change, or a lone `run`/`exec`. Only the unit
 * holding the turn touches the transaction; every call made from inside its work (however deep,
 * across awaits) is recognised through AsyncLocalStorage and runs at once. A call from anywhere
 * else that writes waits for its own turn, so it can never slip into another unit's transaction or
 * savepoint. Reads never wait: they run at once on the connection (and may see the rows of a unit
 * in progress a moment before they commit, as they always could during a group commit).
 *
 * Group commit (the change committer's `{ groupCommit: true }`): the changes of one event-loop turn
 * share one BEGIN IMMEDIATE transaction, each inside its own savepoint (a failing change rolls back
 * only itself and rejects at once), and the transaction commits from setImmediate once no unit is
 * running, before any of their promises settles. A commit costs about as much as the rest of a
 * mint (it writes every touched page to the WAL), so 16 clients minting at once pay for one commit
 * instead of sixteen. Nothing is acknowledged before it is in the WAL; a failed COMMIT rejects
 * every change of the batch, and a batch SQLite rolled back by itself (an I/O error does that)
 * rejects the changes it lost.
 *
 * The change stamp (storage/change-stamp.ts): `total_changes()` moves with every row this
 * connection writes and is read every time (a tenth of a microsecond), so this server's own writes
 * invalidate at once. `data_version` moves when another connection (the operator CLI, a second
 * process) commits; it looks at the WAL index (a few microseconds), so it is re-read at most every
 * DATA_VERSION_CHECK_MS. Rows written inside `cacheNeutral` are tallied and left out; since only
 * the unit holding the turn writes, the rows counted across the callback's awaits are its own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { migrated } from '../migrate';
import type { RunResult, SqlDatabase, SqlParams, TransactionOptions } from '../sql-database';
import { openSqliteConnection } from './sqlite-files';
import { TurnLock } from './turn-lock';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer';

export const DATA_VERSION_CHECK_MS = 50;

/** Prepared statements kept at most; dynamic SQL (IN lists of varying length) must not grow it forever. */
const MAX_CACHED_STATEMENTS = 2_000;

/** A transaction or savepoint in progress, as seen by the calls made from inside its work. */
interface Unit {
  /** False once it has ended: a late call still carrying it (a promise left running) is outside. */
  open: boolean;
  readonly parent: Unit | undefined;
  /** Savepoints below BEGIN: 0 for a transaction of its own, 1 for a change in the group commit. */
  readonly depth: number;
  /** Nested transactions of this unit take turns, so two of them never interleave savepoints (made on first use). */
  children: TurnLock | undefined;
}

interface Joined {
  readonly value: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The open group-commit transaction and the changes waiting for its COMMIT. */
interface Batch {
  readonly joined: Joined[];
}

export interface SqliteDatabaseOptions {
  /** Milliseconds, monotonic; tests pass a manual clock to see `data_version` re-read. */
  readonly clock?: () => number;
}

/** The copy made by `backupTo` failed `PRAGMA integrity_check`; nothing was left at the destination. */
export class BackupIntegrityError extends Error {
  constructor(readonly integrityCheck: string) {
    super(`the copy failed PRAGMA integrity_check: ${integrityCheck}`);
    this.name = 'BackupIntegrityError';
  }
}

/**
 * True for SQLite's "UNIQUE constraint failed" (better-sqlite3 reports it by code). Told by name and
 * code rather than `instanceof`: the native addon keeps the SqliteError class it was first loaded
 * with, so under a fresh module registry (jest) its errors are instances of another copy.
 */
export function isSqliteUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || (error as Error).name !== 'SqliteError') return false;
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The three statements of the savepoint at one depth below BEGIN. */
interface SavepointStatements {
  readonly open: Database.Statement;
  readonly release: Database.Statement;
  readonly rollBackTo: Database.Statement;
}

export class SqliteDatabase implements SqlDatabase {
  readonly engine = 'sqlite' as const;

  private readonly statements = new Map<string, Database.Statement>();
  private readonly units = new AsyncLocalStorage<Unit>();
  private readonly writers = new TurnLock();
  private batch: Batch | undefined;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  /** By depth: prepared once, not looked up by text on every change. */
  private readonly savepoints: SavepointStatements[] = [];

  private readonly totalChanges: Database.Statement;
  private readonly dataVersion: Database.Statement;
  private readonly clock: () => number;
  private version: number;
  private versionCheckedAt: number;
  /** Rows written inside `cacheNeutral` so far, which the stamp does not count. */
  private neutralRows = 0;
  /** Nesting depth of `cacheNeutral`, so a neutral write inside another is counted once. */
  private neutralDepth = 0;

  private checkpointer: WalCheckpointer | undefined;

  constructor(
    /** The connection itself, for SQLite-only work (tests, the operator CLI). */
    readonly connection: Database.Database,
    options: SqliteDatabaseOptions = {},
  ) {
    this.begin = connection.prepare('BEGIN IMMEDIATE');
    this.commit = connection.prepare('COMMIT');
    this.rollback = connection.prepare('ROLLBACK');
    this.totalChanges = connection.prepare('SELECT total_changes()').pluck();
    this.dataVersion = connection.prepare('PRAGMA data_version').pluck();
    this.clock = options.clock ?? (() => performance.now());
    this.version = this.dataVersion.get() as number;
    this.versionCheckedAt = this.clock();
  }

  // ---- statements ----

  async get<Row>(sql: string, params?: SqlParams): Promise<Row | undefined> {
    const statement = this.statement(sql);
    return (params === undefined ? statement.get() : statement.get(params)) as Row | undefined;
  }

  async all<Row>(sql: string, params?: SqlParams): Promise<Row[]> {
    const statement = this.statement(sql);
    return (params === undefined ? statement.all() : statement.all(params)) as Row[];
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    if (this.current() === undefined) return this.alone(() => this.runNow(sql, params));
    return this.runInUnit(sql, params);
  }

  exec(sql: string): Promise<void> {
    if (this.current() === undefined) return this.alone(() => void this.connection.exec(sql));
    return this.execInUnit(sql);
  }

  private async runInUnit(sql: string, params: SqlParams | undefined): Promise<RunResult> {
    return this.runNow(sql, params);
  }

  private async execInUnit(sql: string): Promise<void> {
    this.connection.exec(sql);
  }

  private runNow(sql: string, params: SqlParams | undefined): RunResult {
    const statement = this.statement(sql);
    return params === undefined ? statement.run() : statement.run(params);
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // ---- transactions ----

  get inTransaction(): boolean {
    return this.current() !== undefined;
  }

  transaction<T>(work: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    const parent = this.current();
    if (parent !== undefined) return this.nested(parent, work);
    return options?.groupCommit === true ? this.joinGroupCommit(work) : this.ownTransaction(work);
  }

  /** SQLite's write lock already serialises every writer, and this unit holds it. */
  lock(name: string): Promise<void> {
    if (this.current() === undefined) return Promise.reject(new Error(`lock("${name}") called outside a transaction`));
    return Promise.resolve();
  }

  /** The innermost unit still open in the calling async context. */
  private current(): Unit | undefined {
    let unit = this.units.getStore();
    while (unit !== undefined && !unit.open) unit = unit.parent;
    return unit;
  }

  private async nested<T>(parent: Unit, work: () => Promise<T>): Promise<T> {
    const siblings = (parent.children ??= new TurnLock());
    await siblings.acquire();
    try {
      return await this.inSavepoint({ open: true, parent, depth: parent.depth + 1, children: undefined }, work);
    } finally {
      siblings.release();
    }
  }

  private savepointAt(depth: number): SavepointStatements {
    let statements = this.savepoints[depth];
    if (statements === undefined) {
      statements = {
        open: this.connection.prepare(`SAVEPOINT unit_${depth}`),
        release: this.connection.prepare(`RELEASE unit_${depth}`),
        rollBackTo: this.connection.prepare(`ROLLBACK TO unit_${depth}`),
      };
      this.savepoints[depth] = statements;
    }
    return statements;
  }

  /** Runs `work` as `unit` inside a savepoint at its depth; a throw undoes the savepoint alone. */
  private async inSavepoint<T>(unit: Unit, work: () => Promise<T>): Promise<T> {
    const savepoint = this.savepointAt(unit.depth);
    savepoint.open.run();
    let result: T;
    try {
      result = await this.units.run(unit, work);
    } catch (error) {
      unit.open = false;
      // After an I/O error SQLite may have rolled back the whole transaction, savepoint included.
      if (this.connection.inTransaction) {
        savepoint.rollBackTo.run();
        savepoint.release.run();
      }
      throw error;
    }
    unit.open = false;
    savepoint.release.run();
    return result;
  }

  private async ownTransaction<T>(work: () => Promise<T>): Promise<T> {
    await this.writers.acquire();
    try {
      this.commitBatch();
      this.begin.run();
      const unit: Unit = { open: true, parent: undefined, depth: 0, children: undefined };
      try {
        const result = await this.units.run(unit, work);
        unit.open = false;
        this.commit.run();
        return result;
      } catch (error) {
        unit.open = false;
        if (this.connection.inTransaction) this.rollback.run();
        throw error;
      }
    } finally {
      this.writers.release();
    }
  }

  private async joinGroupCommit<T>(work: () => Promise<T>): Promise<T> {
    await this.writers.acquire();
    let batch: Batch;
    let value: T;
    try {
      batch = this.openBatch();
      value = await this.inSavepoint({ open: true, parent: undefined, depth: 1, children: undefined }, work);
    } finally {
      this.writers.release();
    }
    // Joined before the next unit can run (it starts from a microtask), so before any COMMIT.
    return new Promise<T>((resolve, reject) => batch.joined.push({ value, resolve: resolve as (value: unknown) => void, reject }));
  }

  /** The open batch, or a new one (BEGIN IMMEDIATE, COMMIT scheduled). Called holding the turn. */
  private openBatch(): Batch {
    const open = this.batch;
    if (open !== undefined) {
      if (this.connection.inTransaction) return open;
      // SQLite rolled the batch back by itself: what it held is lost, so those changes fail, and
      // this one starts a new batch rather than committing on its own.
      this.batch = undefined;
      rejectAll(open, lostBatchError());
    }
    this.begin.run();
    const batch: Batch = { joined: [] };
    this.batch = batch;
    setImmediate(() => void this.flushBatch(batch));
    return batch;
  }

  /** Commits `batch` once the units queued before this call have run (they join it first). */
  private async flushBatch(batch: Batch): Promise<void> {
    if (this.batch !== batch) return;
    await this.writers.acquire();
    try {
      if (this.batch === batch) this.commitBatch();
    } finally {
      this.writers.release();
    }
  }

  /** Commits the open batch, if any, and settles its changes. Called holding the turn. */
  private commitBatch(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    if (!this.connection.inTransaction) {
      rejectAll(batch, lostBatchError());
      return;
    }
    try {
      this.commit.run();
    } catch (error) {
      try {
        if (this.connection.inTransaction) this.rollback.run();
      } finally {
        rejectAll(batch, error);
      }
      return;
    }
    for (const joined of batch.joined) joined.resolve(joined.value);
  }

  /** A write outside any transaction: its own unit, after the open batch has committed. */
  private async alone<T>(write: () => T): Promise<T> {
    await this.writers.acquire();
    try {
      this.commitBatch();
      return write();
    } finally {
      this.writers.release();
    }
  }

  // ---- change stamp ----

  cacheNeutral<T>(work: () => Promise<T>): Promise<T> {
    // Outside a unit, other units' rows could land while `work` awaits: make it a unit of its own.
    if (this.current() === undefined) return this.transaction(() => this.measuredNeutral(work));
    return this.measuredNeutral(work);
  }

  private async measuredNeutral<T>(work: () => Promise<T>): Promise<T> {
    if (this.neutralDepth > 0) return work();
    const before = this.totalChanges.get() as number;
    this.neutralDepth += 1;
    let result: T;
    try {
      result = await work();
    } finally {
      this.neutralDepth -= 1;
    }
    // Only on success: a neutral write that failed moves the stamp, and the caches start over.
    this.neutralRows += (this.totalChanges.get() as number) - before;
    return result;
  }

  changeStamp(): number {
    const now = this.clock();
    if (now - this.versionCheckedAt >= DATA_VERSION_CHECK_MS || now < this.versionCheckedAt) {
      this.version = this.dataVersion.get() as number;
      this.versionCheckedAt = now;
    }
    return ((this.totalChanges.get() as number) - this.neutralRows) * 4294967296 + this.version;
  }

  isUniqueViolation(error: unknown): boolean {
    return isSqliteUniqueViolation(error);
  }

  // ---- SQLite only ----

  /** WAL checkpoints on a worker thread (storage/sqlite/wal-checkpointer.ts) until `close`. */
  startWalCheckpointer(intervalMs?: number): WalCheckpointer {
    this.checkpointer ??= startWalCheckpointer(this.connection, intervalMs);
    return this.checkpointer;
  }

  /**
   * SQLite's online backup API copies the database page by page into `<destination>.partial`, one
   * consistent snapshot; the copy is renamed to `destination` only once `PRAGMA integrity_check`
   * passed on it, so a failed backup never leaves a file that looks like a good one. Writers wait
   * while it runs (the operator CLI's connection has none of its own).
   */
  async backupTo(destination: string): Promise<{ pages: number; integrityCheck: string }> {
    const partial = `${destination}.partial`;
    await this.writers.acquire();
    try {
      this.commitBatch();
      const progress = await this.connection.backup(partial);
      const copy = new Database(partial, { readonly: true, fileMustExist: true });
      let integrityCheck: string;
      try {
        integrityCheck = String(copy.pragma('integrity_check', { simple: true }));
      } finally {
        copy.close();
      }
      if (integrityCheck !== 'ok') throw new BackupIntegrityError(integrityCheck);
      renameSync(partial, destination);
      return { pages: progress.totalPages, integrityCheck };
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    } finally {
      this.writers.release();
    }
  }

  async close(): Promise<void> {
    if (!this.connection.open) return;
    await this.writers.acquire();
    try {
      this.commitBatch();
      await this.checkpointer?.stop();
      if (this.connection.open) this.connection.close();
    } finally {
      this.writers.release();
    }
  }
}

function lostBatchError(): Error {
  return new Error('the write transaction was rolled back by SQLite before it could commit');
}

function rejectAll(batch: Batch, error: unknown): void {
  for (const joined of batch.joined) joined.reject(error);
}

/** Opens (creating it when missing) the database in `dataDir` and applies every pending migration. */
export async function openSqliteDatabase(dataDir: string, options: SqliteDatabaseOptions = {}): Promise<SqliteDatabase> {
  return migrated(new SqliteDatabase(openSqliteConnection(dataDir), options));
}
