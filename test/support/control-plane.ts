/**
 * An in-process control plane for tests: a fresh temp data directory (real SQLite file), a real
 * HTTP server on 127.0.0.1 port 0, bootstrapped with a known owner key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningServer, startServer } from '../../control-plane/src/app';
import type { Clock } from '../../control-plane/src/clock';
import type { AnyRouteDefinition } from '../../control-plane/src/http/route-definition';
import { databasePath } from '../../control-plane/src/storage/sqlite/sqlite-files';

export const TEST_RATE_LIMITS: Readonly<Record<string, string>> = {
  MANAGED_RATE_LIMIT_PER_KEY: '1000000',
  MANAGED_RATE_LIMIT_ANONYMOUS: '1000000',
};

export interface ControlPlaneOptions {
  readonly clock?: Clock;
  /** Extra environment (e.g. MANAGED_PEPPER, MANAGED_BOOTSTRAP_KEY, MANAGED_TRUST_PROXY). */
  readonly env?: Record<string, string>;
  /** Reuse a data directory (e.g. to test a restart); it is then not deleted on close. */
  readonly dataDir?: string;
  /** Collect the JSON request log lines (LOG_LEVEL info); otherwise logging is off in tests. */
  readonly captureLog?: boolean;
  /** Routes to serve instead of the full route table. */
  readonly routes?: readonly AnyRouteDefinition[];
}

export interface TestControlPlane {
  readonly url: string;
  readonly dataDir: string;
  readonly databasePath: string;
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
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'managed-cp-'));
  const announced: string[] = [];
  let logText = '';
  let server: RunningServer;
  try {
    server = await startServer({
      // Tests send bursts from one key and one address; the limiter has its own tests with low limits.
      env: { MANAGED_DATA_DIR: dataDir, LOG_LEVEL: options.captureLog ? 'info' : 'silent', ...TEST_RATE_LIMITS, ...options.env },
      config: { port: 0, host: '127.0.0.1' },
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.routes ? { routes: options.routes } : {}),
      announce: (line) => announced.push(line),
      logDestination: { write: (line: string) => void (logText += line) },
    });
  } catch (error) {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const bootstrap = server.bootstrap;
  if (!bootstrap.created) {
    throw new Error(`startControlPlane needs a fresh data directory to learn the owner key; ${dataDir} was already bootstrapped`);
  }
  return {
    url: server.url,
    dataDir,
    databasePath: databasePath(dataDir),
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
      await server.close();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
