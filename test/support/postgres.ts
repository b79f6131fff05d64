/**
 * A real PostgreSQL for the tests: ONE throwaway cluster per jest run, in a temp directory,
 * reached on a free loopback port, and a fresh database per test (`createTestDatabase`).
 *
 * The cluster starts lazily: jest's global setup only prepares a state directory (and names it in
 * MANAGED_TEST_POSTGRES_STATE, which the workers inherit); the first test that asks for a database
 * starts the cluster, and tests in other workers wait for it. A run that selects no such test
 * never pays for initdb. The global teardown stops the cluster and removes the directory; a run
 * that was killed before its teardown is cleaned up by the next run's setup.
 *
 * Starting and stopping the cluster itself is scripts/lib/postgres-cluster.ts (the benchmark starts
 * one too). When PostgreSQL is missing, every test that needs it fails and says how to install it:
 * nothing is skipped.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  INSTALL_HINT,
  THROWAWAY_SETTINGS,
  clusterLog,
  createDatabase,
  postgresBinDirectory,
  prepareClusterParent,
  queryOnce,
  startCluster,
  stopAndRemoveCluster,
} from '../../scripts/lib/postgres-cluster';

export { INSTALL_HINT, postgresBinDirectory };

export const POSTGRES_STATE_ENV = 'MANAGED_TEST_POSTGRES_STATE';
const STATE_PREFIX = 'managed-jest-postgres-';
const START_WAIT_MS = 120_000;

/** Files in the state directory. */
const OWNER_FILE = 'owner.pid';
const STARTING_FILE = 'starting';
const URL_FILE = 'url';
const ERROR_FILE = 'error';
const TIMING_FILE = 'start-ms';

function stateDirectory(): string {
  const stateDir = process.env[POSTGRES_STATE_ENV];
  if (!stateDir || !existsSync(stateDir)) {
    throw new Error(
      `${POSTGRES_STATE_ENV} is not set: run the tests through jest, whose globalSetup (test/support/postgres-global-setup.ts) prepares the PostgreSQL cluster`,
    );
  }
  return stateDir;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let clusterUrl: Promise<string> | undefined;

/** The URL of the run's cluster (its `postgres` database), starting the cluster if no test has yet. */
export function testClusterUrl(): Promise<string> {
  clusterUrl ??= startOrAwaitCluster(stateDirectory());
  return clusterUrl;
}

async function startOrAwaitCluster(stateDir: string): Promise<string> {
  let starter = false;
  try {
    closeSync(openSync(join(stateDir, STARTING_FILE), 'wx'));
    starter = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (starter) {
    const startedAt = performance.now();
    try {
      const url = await startCluster(stateDir, THROWAWAY_SETTINGS);
      writeFileSync(join(stateDir, TIMING_FILE), `${Math.round(performance.now() - startedAt)}\n`);
      writeFileSync(join(stateDir, `${URL_FILE}.tmp`), url);
      renameSync(join(stateDir, `${URL_FILE}.tmp`), join(stateDir, URL_FILE));
      return url;
    } catch (error) {
      writeFileSync(join(stateDir, ERROR_FILE), (error as Error).message);
      throw error;
    }
  }
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    if (existsSync(join(stateDir, URL_FILE))) return readFileSync(join(stateDir, URL_FILE), 'utf8');
    if (existsSync(join(stateDir, ERROR_FILE))) throw new Error(readFileSync(join(stateDir, ERROR_FILE), 'utf8'));
    await sleep(50);
  }
  throw new Error(`the PostgreSQL test cluster did not start within ${START_WAIT_MS / 1000} s (see ${clusterLog(stateDir)})`);
}

/** Runs one statement on the cluster's `postgres` database (administration, fault injection). */
export async function adminQuery<Row extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<Row[]> {
  return queryOnce<Row>(await testClusterUrl(), sql, values);
}

export interface TestDatabase {
  readonly name: string;
  /** postgresql://… of the new, empty database. */
  readonly url: string;
  /** Drops it, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** A new, empty database on the run's cluster. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${randomBytes(8).toString('hex')}`;
  const url = await createDatabase(await testClusterUrl(), name);
  return {
    name,
    url,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** jest globalSetup: a state directory for this run; clusters of killed earlier runs are stopped. */
export async function prepareTestClusterState(): Promise<void> {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(STATE_PREFIX)) continue;
    const stateDir = join(tmpdir(), entry);
    // A directory without its owner file may be another run's, a moment after mkdtemp: leave it.
    if (!existsSync(join(stateDir, OWNER_FILE))) continue;
    const owner = Number(readFileSync(join(stateDir, OWNER_FILE), 'utf8'));
    if (Number.isInteger(owner) && processIsAlive(owner)) continue; // another run, still going
    await stopAndRemoveCluster(stateDir);
  }
  const stateDir = mkdtempSync(join(tmpdir(), STATE_PREFIX));
  prepareClusterParent(stateDir); // the postgres user (as root) needs to reach the cluster directory inside
  writeFileSync(join(stateDir, OWNER_FILE), String(process.pid));
  process.env[POSTGRES_STATE_ENV] = stateDir;
}

/** jest globalTeardown: stops the cluster, if a test started one, and removes its directory. */
export async function removeTestCluster(): Promise<void> {
  const stateDir = process.env[POSTGRES_STATE_ENV];
  if (!stateDir) return;
  if (process.env.MANAGED_TEST_POSTGRES_REPORT && existsSync(join(stateDir, TIMING_FILE))) {
    process.stderr.write(`PostgreSQL test cluster started in ${readFileSync(join(stateDir, TIMING_FILE), 'utf8').trim()} ms\n`);
  }
  await stopAndRemoveCluster(stateDir);
  delete process.env[POSTGRES_STATE_ENV];
}
