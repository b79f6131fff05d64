/**
 * SqlDatabase on PostgreSQL (storage/sql-database.ts): a node-postgres pool shared by any number
 * of control-plane replicas' worth of requests.
 *
 * Transactions: `transaction(work)` takes one pooled connection, BEGINs (READ COMMITTED), and runs
 * `work` in an AsyncLocalStorage scope that names that connection; every call on this database
 * made inside it, however deep and across awaits, goes to that connection, while concurrent
 * requests outside it use other connections. A nested `transaction` is a SAVEPOINT; nested
 * transactions of one scope run one after another, since savepoints must nest. Calls still
 * arriving from a scope whose transaction has ended (a timer started inside it) use the pool.
 *
 * PostgreSQL aborts the whole transaction at the first failing statement: a statement whose
 * failure a caller catches and survives (a unique violation it expects) must run in its own nested
 * `transaction`, so that only its savepoint is undone.
 *
 * Change stamp: a statement that changed rows outside `cacheNeutral` marks its transaction dirty;
 * a dirty transaction NOTIFYs the other replicas before COMMIT and moves this replica's stamp right
 * after it (postgres/change-notifications.ts). A `run` outside any transaction is wrapped in one,
 * so that its notification commits with it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseError, Pool, type ClientConfig, type PoolClient, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import { DEFAULT_DATABASE_POOL_SIZE } from '../../config';
import type { RunResult, SqlDatabase, SqlParams, StorageEngine, TransactionOptions } from '../sql-database';
import { advisoryLockKey } from './advisory-lock-key';
import { ChangeNotifications, CHANGES_CHANNEL } from './change-notifications';
import { asUnavailable } from './connection-failure';
import { bindParameters, compiledStatement, type CompiledStatement } from './parameters';
import { RESULT_TYPES } from './result-types';

export const POOL_APPLICATION_NAME = 'managed-control-plane';

/** SQLSTATE unique_violation: a UNIQUE or PRIMARY KEY constraint. */
const UNIQUE_VIOLATION = '23505';

/** Statement tags that report changed rows. */
const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** First keywords of statements that only read; anything else run outside a transaction gets one. */
const READ_KEYWORDS = new Set(['SELECT', 'VALUES', 'TABLE', 'SHOW', 'EXPLAIN']);

/**
 * Server-side limits on every pooled connection, so that one stuck session (a replica frozen with
 * `kill -STOP` inside a transaction, a lost network path) cannot stall the others for ever:
 * - idle in transaction: the server ends such a session, which releases its locks;
 * - lock: a waiter fails (503) instead of queueing behind it indefinitely;
 * - statement: no single statement runs unbounded;
 * - connect: a request waiting for a pooled connection fails instead of hanging.
 */
export interface ConnectionLimits {
  readonly idleInTransactionMs: number;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  idleInTransactionMs: 5_000,
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
};

/** The `options` startup parameter that sets the limits as the session's defaults. */
function sessionOptions(limits: ConnectionLimits): string {
  return [
    `-c idle_in_transaction_session_timeout=${limits.idleInTransactionMs}`,
    `-c lock_timeout=${limits.lockTimeoutMs}`,
    `-c statement_timeout=${limits.statementTimeoutMs}`,
  ].join(' ');
}

export interface PostgresDatabaseOptions {
  /** Connections in the pool (MANAGED_DATABASE_POOL_SIZE); the listener has one more of its own. */
  readonly poolSize?: number;
  /** The NOTIFY channel; replicas sharing a database must agree on it. */
  readonly channel?: string;
  /**
   * Errors no caller is waiting for: an idle pooled connection or the change listener lost
   * (both recover on their own). Default: ignored.
   */
  readonly onBackgroundError?: (error: Error) => void;
  /** Tests shorten them; DEFAULT_CONNECTION_LIMITS otherwise. */
  readonly limits?: Partial<ConnectionLimits>;
}

/** The open transaction (shared by its savepoints). */
interface OpenTransaction {
  readonly client: PoolClient;
  open: boolean;
  /** Something a cache may hold changed: notify at commit. */
  dirty: boolean;
  savepoints: number;
}

/** One level of a transaction: the outermost, or a savepoint inside it. */
interface TransactionScope {
  readonly transaction: OpenTransaction;
  /** The nested transaction that runs last at this level; the next one waits for it. */
  lastNested: Promise<unknown>;
}

/** A `cacheNeutral` call; inactive once it has returned, so timers it started count again. */
interface NeutralScope {
  active: boolean;
}

type Queryable = Pick<PoolClient, 'query'>;

/**
 * Always the extended protocol (parse, bind, execute), parameters or not: one statement per call,
 * as better-sqlite3 enforces, so a stray `;` cannot smuggle a second statement in.
 */
type ExtendedQueryConfig = QueryConfig & { readonly queryMode: 'extended' };

export class PostgresDatabase implements SqlDatabase {
  readonly engine: StorageEngine = 'postgres';
  private readonly transactions = new AsyncLocalStorage<TransactionScope>();
  private readonly neutral = new AsyncLocalStorage<NeutralScope>();

  private constructor(
    private readonly pool: Pool,
    private readonly changes: ChangeNotifications,
    private readonly onBackgroundError: (error: Error) => void,
  ) {}

  /** Connects the pool and the change listener; rejects when the database cannot be reached. */
  static async open(url: string, options: PostgresDatabaseOptions = {}): Promise<PostgresDatabase> {
    const onBackgroundError = options.onBackgroundError ?? (() => undefined);
    const connection: ClientConfig = { connectionString: url, types: RESULT_TYPES };
    const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    const pool = new Pool({
      ...connection,
      max: options.poolSize ?? DEFAULT_DATABASE_POOL_SIZE,
      application_name: POOL_APPLICATION_NAME,
      options: sessionOptions(limits),
      // A dead peer is noticed by the kernel even while no statement is waiting for an answer.
      keepAlive: true,
      connectionTimeoutMillis: limits.connectTimeoutMs,
    });
    // An idle connection that the server closes is dropped by the pool; without a listener the
    // 'error' event would end the process.
    pool.on('error', onBackgroundError);
    const changes = new ChangeNotifications(connection, onBackgroundError, options.channel ?? CHANGES_CHANNEL);
    try {
      await changes.start();
      const client = await pool.connect(); // fail now, not at the first request, when the pool cannot connect
      client.release();
    } catch (error) {
      await changes.close();
      await pool.end();
      throw error;
    }
    return new PostgresDatabase(pool, changes, onBackgroundError);
  }

  get inTransaction(): boolean {
    return this.openScope() !== undefined;
  }

  /** True while the change listener is connected (for tests and health reporting). */
  get listening(): boolean {
    return this.changes.isListening;
  }

  /** The backend process of the change listener, while it is connected (tests terminate it). */
  get listenerProcessId(): number | undefined {
    return this.changes.listenerProcessId;
  }

  async get<Row>(sql: string, params?: SqlParams): Promise<Row | undefined> {
    const result = await this.query(sql, params);
    return result.rows[0] as Row | undefined;
  }

  async all<Row>(sql: string, params?: SqlParams): Promise<Row[]> {
    const result = await this.query(sql, params);
    return result.rows as Row[];
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    const result = await this.query(sql, params);
    return { changes: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    const scope = this.openScope();
    // Without values node-postgres uses the simple query protocol, which takes several statements.
    try {
      await (scope?.transaction.client ?? this.pool).query(sql);
    } catch (error) {
      throw asUnavailable(error);
    }
    await this.noteWrite(scope);
  }

  async transaction<T>(work: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    const parent = this.openScope();
    return parent ? this.nested(parent, work) : this.outermost(work, options);
  }

  async lock(name: string): Promise<void> {
    const scope = this.openScope();
    if (!scope) {
      throw new Error(`lock("${name}") must be called inside db.transaction: a PostgreSQL advisory lock is held until its transaction ends`);
    }
    try {
      await scope.transaction.client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey(name)]);
    } catch (error) {
      throw asUnavailable(error); // lock_timeout behind a stuck holder is the database's state, not the request's fault
    }
  }

  async cacheNeutral<T>(work: () => Promise<T>): Promise<T> {
    if (this.neutral.getStore()?.active) return work();
    const scope: NeutralScope = { active: true };
    try {
      return await this.neutral.run(scope, work);
    } catch (error) {
      // A neutral write that failed may have left rows of its own behind: count it after all.
      scope.active = false;
      // The caller must see the write's own error; a failed notification only goes to the log.
      await this.noteWrite(this.openScope()).catch((notifyError: unknown) => this.onBackgroundError(notifyError as Error));
      throw error;
    } finally {
      scope.active = false;
    }
  }

  changeStamp(): number {
    return this.changes.current();
  }

  isUniqueViolation(error: unknown): boolean {
    return error instanceof DatabaseError && error.code === UNIQUE_VIOLATION;
  }

  async close(): Promise<void> {
    await this.changes.close();
    await this.pool.end();
  }

  private openScope(): TransactionScope | undefined {
    const scope = this.transactions.getStore();
    return scope?.transaction.open ? scope : undefined;
  }

  private isNeutral(): boolean {
    return this.neutral.getStore()?.active === true;
  }

  private async query(sql: string, params: SqlParams | undefined): Promise<QueryResult<QueryResultRow>> {
    const statement = compiledStatement(sql);
    const values = bindParameters(statement, params, sql);
    const scope = this.openScope();
    if (!scope && !this.isNeutral() && this.mayWrite(statement)) {
      // Outside a transaction, a write and its notification must still commit together.
      return this.outermost(() => this.query(sql, params));
    }
    const config: ExtendedQueryConfig = { text: statement.text, values, queryMode: 'extended' };
    let result: QueryResult<QueryResultRow>;
    try {
      result = await (scope?.transaction.client ?? this.pool).query<QueryResultRow>(config);
    } catch (error) {
      throw asUnavailable(error);
    }
    if (WRITE_COMMANDS.has(result.command) && (result.rowCount ?? 0) > 0) await this.noteWrite(scope);
    return result;
  }

  private mayWrite(statement: CompiledStatement): boolean {
    return !READ_KEYWORDS.has(statement.firstKeyword);
  }

  /** Something a cache may hold changed, unless inside cacheNeutral. */
  private async noteWrite(scope: TransactionScope | undefined): Promise<void> {
    if (this.isNeutral()) return;
    if (scope) {
      scope.transaction.dirty = true;
      return;
    }
    // Autocommitted already (exec, or a write that looked like a read): tell the others now.
    this.changes.bump();
    await this.notify(this.pool);
  }

  private async notify(on: Queryable): Promise<void> {
    await on.query('SELECT pg_notify($1, $2)', [this.changes.channel, this.changes.senderId]);
  }

  private async outermost<T>(work: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw asUnavailable(error);
    }
    const transaction: OpenTransaction = { client, open: true, dirty: false, savepoints: 0 };
    let broken: Error | undefined;
    // pg-pool listens for errors on idle clients only: while checked out, a connection the server
    // ends (pg_terminate_backend, idle_in_transaction_session_timeout, a restart) would otherwise
    // emit an 'error' nobody hears, and that ends the process. The statement in flight, if any,
    // rejects on its own; the connection must not go back to the pool.
    const onConnectionError = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onConnectionError);
    try {
      await client.query('BEGIN');
      if (options?.unbounded) await client.query('SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0');
      const result = await this.transactions.run({ transaction, lastNested: Promise.resolve() }, work);
      if (transaction.dirty) await this.notify(client);
      await client.query('COMMIT');
      transaction.open = false;
      if (transaction.dirty) this.changes.bump();
      return result;
    } catch (error) {
      if (transaction.open) {
        transaction.open = false;
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is unusable: the pool must not reuse it
        }
      }
      // A failed COMMIT may still have committed (the reply was lost): caches must not trust it.
      if (transaction.dirty) this.changes.bump();
      throw asUnavailable(error);
    } finally {
      transaction.open = false;
      client.removeListener('error', onConnectionError);
      client.release(broken);
    }
  }

  private async nested<T>(parent: TransactionScope, work: () => Promise<T>): Promise<T> {
    const previous = parent.lastNested;
    const settled = previous.then(async () => {
      const { transaction } = parent;
      if (!transaction.open) throw new Error('the enclosing transaction ended before this nested transaction could start');
      transaction.savepoints += 1;
      const savepoint = `nested_${transaction.savepoints}`;
      await transaction.client.query(`SAVEPOINT ${savepoint}`);
      try {
        const result = await this.transactions.run({ transaction, lastNested: Promise.resolve() }, work);
        await transaction.client.query(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        if (transaction.open) await transaction.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`);
        throw error;
      }
    });
    // The next nested transaction waits for this one, whether it commits or throws.
    parent.lastNested = settled.catch(() => undefined);
    return settled;
  }
}
