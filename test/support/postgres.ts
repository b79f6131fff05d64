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
 * Debian's `postgresql` package provides the binaries (/usr/lib/postgresql/<version>/bin). When it
 * is missing, every test that needs it fails and says how to install it: nothing is skipped.
 * initdb refuses to run as root, so as root the cluster runs as the `postgres` user (runuser).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export const POSTGRES_STATE_ENV = 'MANAGED_TEST_POSTGRES_STATE';
export const INSTALL_HINT = 'apt-get install -y postgresql';
const STATE_PREFIX = 'managed-jest-postgres-';
const POSTGRES_ROOT = '/usr/lib/postgresql';
const START_WAIT_MS = 120_000;

/** Files in the state directory. */
const OWNER_FILE = 'owner.pid';
const STARTING_FILE = 'starting';
const URL_FILE = 'url';
const ERROR_FILE = 'error';
const TIMING_FILE = 'start-ms';
const CLUSTER_DIR = 'cluster';

/** The newest installed PostgreSQL's bin directory, or a failure that says how to install it. */
export function postgresBinDirectory(root: string = POSTGRES_ROOT): string {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL is not installed: the PostgreSQL store tests start a throwaway cluster with initdb and pg_ctl from ${root}/<version>/bin. Install it with: ${INSTALL_HINT}`,
    );
  }
  return join(root, versions[0], 'bin');
}

const runningAsRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the user that owns the cluster. */
async function runPostgresBinary(binary: string, args: readonly string[]): Promise<void> {
  const path = join(postgresBinDirectory(), binary);
  const [command, commandArgs] = runningAsRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
  try {
    await run(command, commandArgs, { env: { ...process.env, LC_ALL: 'C' }, timeout: START_WAIT_MS });
  } catch (error) {
    const failure = error as Error & { stderr?: string; stdout?: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${failure.message}\n${failure.stderr ?? ''}${failure.stdout ?? ''}`, { cause: error });
  }
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function ownedByPostgres(path: string): void {
  if (!runningAsRoot()) return;
  const { uid, gid } = postgresUser();
  chownSync(path, uid, gid);
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error(`there is no "postgres" user to run the test cluster as (running as root); reinstall it with: ${INSTALL_HINT}`);
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** initdb + pg_ctl start; returns the URL of the cluster's `postgres` database. */
async function startCluster(stateDir: string): Promise<string> {
  postgresBinDirectory(); // fail with the install hint before creating anything
  const clusterDir = join(stateDir, CLUSTER_DIR);
  mkdirSync(clusterDir, { mode: 0o700 });
  ownedByPostgres(clusterDir);
  const dataDir = join(clusterDir, 'data');
  const socketDir = clusterDir;
  // Trust on loopback is fine for a cluster that lives as long as one test run and holds test data.
  await runPostgresBinary('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freeLoopbackPort();
    const serverOptions = [
      `-p ${port}`,
      `-k ${socketDir}`,
      '-c listen_addresses=127.0.0.1',
      // A throwaway cluster: nothing to protect against a crash, so no flushing to disk at all.
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    try {
      await runPostgresBinary('pg_ctl', ['-D', dataDir, '-l', join(clusterDir, 'server.log'), '-w', '-t', '60', '-o', serverOptions, 'start']);
      return `postgresql://postgres@127.0.0.1:${port}/postgres`;
    } catch (error) {
      lastError = error as Error; // most likely another process took the port in between
    }
  }
  throw lastError ?? new Error('pg_ctl start failed');
}

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
      const url = await startCluster(stateDir);
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
  throw new Error(`the PostgreSQL test cluster did not start within ${START_WAIT_MS / 1000} s (see ${join(stateDir, CLUSTER_DIR, 'server.log')})`);
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement on the cluster's `postgres` database (administration, fault injection). */
export async function adminQuery<Row extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<Row[]> {
  const url = await testClusterUrl();
  return withClient(url, async (client) => (await client.query<Row>(sql, values)).rows);
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
  const adminUrl = await testClusterUrl();
  const name = `test_${randomBytes(8).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE template0`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
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

async function stopAndRemove(stateDir: string): Promise<void> {
  const dataDir = join(stateDir, CLUSTER_DIR, 'data');
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    // Immediate: nothing in a throwaway cluster is worth a clean shutdown.
    await runPostgresBinary('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  }
  rmSync(stateDir, { recursive: true, force: true });
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
    await stopAndRemove(stateDir);
  }
  const stateDir = mkdtempSync(join(tmpdir(), STATE_PREFIX));
  chmodSync(stateDir, 0o711); // the postgres user (as root) needs to reach the cluster directory inside
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
  await stopAndRemove(stateDir);
  delete process.env[POSTGRES_STATE_ENV];
}
