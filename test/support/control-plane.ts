/**
 * An in-process control plane for tests: a fresh temp data directory, a fresh database on the
 * jest project's store (a real SQLite file in that directory, or a new database on the run's
 * PostgreSQL cluster: test/support/test-store.ts), a real HTTP server on a loopback port 0,
 * bootstrapped with a known owner key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningServer, startServer } from '../../control-plane/src/app';
import type { Clock } from '../../control-plane/src/clock';
import type { AnyRouteDefinition } from '../../control-plane/src/http/route-definition';
import type { StorageEngine } from '../../control-plane/src/storage/sql-database';
import { databasePath } from '../../control-plane/src/storage/sqlite/sqlite-files';
import { queryOutside, storedSize, storedTexts } from './store-inspection';
import { storeEnvironment, testStore } from './test-store';

export const TEST_RATE_LIMITS: Readonly<Record<string, string>> = {
  MANAGED_RATE_LIMIT_PER_KEY: '1000000',
  MANAGED_RATE_LIMIT_ANONYMOUS: '1000000',
};

export interface ControlPlaneOptions {
  readonly clock?: Clock;
  /** Extra environment (e.g. MANAGED_PEPPER, MANAGED_BOOTSTRAP_KEY, MANAGED_TRUST_PROXY). */
  readonly env?: Record<string, string>;
  /** The loopback address to listen on (default 127.0.0.1). */
  readonly host?: '127.0.0.1' | '::1';
  /** Collect the JSON request log lines (LOG_LEVEL info); otherwise logging is off in tests. */
  readonly captureLog?: boolean;
  /** Routes to serve instead of the full route table. */
  readonly routes?: readonly AnyRouteDefinition[];
}

export interface TestControlPlane {
  readonly url: string;
  readonly dataDir: string;
  /** The store this control plane runs on (the jest project's: test/support/test-store.ts). */
  readonly store: StorageEngine;
  /**
   * The SQLite file, for tests that look at the file itself; undefined on PostgreSQL. White-box
   * checks of rows go through `server.services.db`, in SQL both engines accept.
   */
  readonly databasePath: string | undefined;
  /** The PostgreSQL database's URL; undefined on SQLite. */
  readonly databaseUrl: string | undefined;
  /**
   * One statement on a connection of the test's own (an edit behind the server's back, or a read
   * after it closed), in SQL both engines accept with `?` parameters; returns the rows.
   */
  queryOutside<Row>(sql: string, params?: ReadonlyArray<string | number | null>): Promise<Row[]>;
  /** Bytes the store occupies (test/support/store-inspection.ts). */
  storedSize(): Promise<number>;
  /** Everything the store holds, as text, to prove a secret is in none of it. */
  storedTexts(): Promise<string[]>;
  readonly ownerKey: string;
  readonly accountId: string;
  readonly ownerPrincipalId: string;
  /** The running server (services, repositories, db) for white-box checks. */
  readonly server: RunningServer;
  /** The request log lines written so far, parsed (only with `captureLog`). */
  logLines(): Array<Record<string, unknown>>;
  /** The raw request log text written so far (only with `captureLog`). */
  logText(): string;
  close(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<TestControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), 'managed-cp-'));
  const store = testStore();
  const announced: string[] = [];
  let logText = '';
  let server: RunningServer;
  let storage: Awaited<ReturnType<typeof storeEnvironment>> | undefined;
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    storage = await storeEnvironment();
    server = await startServer({
      // Tests send bursts from one key and one address; the limiter has its own tests with low limits.
      env: { MANAGED_DATA_DIR: dataDir, LOG_LEVEL: options.captureLog ? 'info' : 'silent', ...TEST_RATE_LIMITS, ...storage.env, ...options.env },
      config: { port: 0, host: options.host ?? '127.0.0.1' },
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.routes ? { routes: options.routes } : {}),
      announce: (line) => announced.push(line),
      logDestination: { write: (line: string) => void (logText += line) },
    });
  } catch (error) {
    await storage?.release();
    removeDataDir();
    throw error;
  }
  const bootstrap = server.bootstrap;
  if (!bootstrap.created) {
    await server.close();
    await storage.release();
    removeDataDir();
    throw new Error(`startControlPlane needs a fresh database to learn the owner key; the one in ${dataDir} was already bootstrapped`);
  }
  const release = storage.release;
  const location = {
    store,
    dataDir,
    databasePath: store === 'sqlite' ? databasePath(dataDir) : undefined,
    databaseUrl: storage.env.MANAGED_DATABASE_URL,
  };
  return {
    url: server.url,
    ...location,
    queryOutside: (sql, params) => queryOutside(location, sql, params),
    storedSize: () => storedSize(location),
    storedTexts: () => storedTexts(location),
    ownerKey: bootstrap.ownerKey,
    accountId: bootstrap.accountId,
    ownerPrincipalId: bootstrap.ownerPrincipalId,
    server,
    logText: () => logText,
    logLines: () =>
      logText
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async close() {
      try {
        await server.close();
      } finally {
        await release();
        removeDataDir();
      }
    },
  };
}
