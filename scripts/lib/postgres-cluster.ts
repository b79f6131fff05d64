/**
 * A throwaway PostgreSQL cluster in a directory of our own, on a free loopback port: what the
 * tests (test/support/postgres.ts, one per jest run) and the benchmark (`npm run bench --
 * --store=postgres`) run against. Debian's `postgresql` package provides the binaries
 * (/usr/lib/postgresql/<version>/bin); when it is missing, starting fails and says how to install
 * it. initdb refuses to run as root, so as root the cluster runs as the `postgres` user (runuser).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export const INSTALL_HINT = 'apt-get install -y postgresql';
const POSTGRES_ROOT = '/usr/lib/postgresql';
const COMMAND_TIMEOUT_MS = 120_000;
/** The cluster's directory inside the directory given to startCluster. */
const CLUSTER_DIR = 'cluster';

/**
 * Server settings for a cluster whose data is worth nothing after the run (tests): no flushing to
 * disk at all.
 */
export const THROWAWAY_SETTINGS: readonly string[] = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];

/**
 * Settings for measuring (the benchmark): fsync stays on, but a commit does not wait for its WAL
 * flush, which is the durability SQLite's `synchronous = NORMAL` in WAL mode gives the embedded
 * store (a power cut may lose the last commits, never corrupt the database).
 */
export const BENCH_SETTINGS: readonly string[] = ['synchronous_commit=off'];

/** The newest installed PostgreSQL's bin directory, or a failure that says how to install it. */
export function postgresBinDirectory(root: string = POSTGRES_ROOT): string {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL is not installed: a throwaway cluster is started with initdb and pg_ctl from ${root}/<version>/bin. Install it with: ${INSTALL_HINT}`,
    );
  }
  return join(root, versions[0]!, 'bin');
}

const runningAsRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the user that owns the cluster. */
async function runPostgresBinary(binary: string, args: readonly string[]): Promise<void> {
  const path = join(postgresBinDirectory(), binary);
  const [command, commandArgs] = runningAsRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
  try {
    await run(command, commandArgs, { env: { ...process.env, LC_ALL: 'C' }, timeout: COMMAND_TIMEOUT_MS });
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

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error(`there is no "postgres" user to run the cluster as (running as root); reinstall it with: ${INSTALL_HINT}`);
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function ownedByPostgres(path: string): void {
  if (!runningAsRoot()) return;
  const { uid, gid } = postgresUser();
  chownSync(path, uid, gid);
}

/**
 * Makes `directory` (created by the caller, e.g. with mkdtemp) reachable by the postgres user the
 * cluster runs as when we are root.
 */
export function prepareClusterParent(directory: string): void {
  chmodSync(directory, 0o711);
}

/**
 * initdb + pg_ctl start in `<directory>/cluster`; returns the URL of the cluster's `postgres`
 * database. `settings` are `name=value` server settings (THROWAWAY_SETTINGS, BENCH_SETTINGS).
 */
export async function startCluster(directory: string, settings: readonly string[], maxConnections = 300): Promise<string> {
  postgresBinDirectory(); // fail with the install hint before creating anything
  const clusterDir = join(directory, CLUSTER_DIR);
  mkdirSync(clusterDir, { mode: 0o700 });
  ownedByPostgres(clusterDir);
  const dataDir = join(clusterDir, 'data');
  // Trust on loopback is fine for a cluster that lives as long as one run and holds its data only.
  await runPostgresBinary('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freeLoopbackPort();
    const serverOptions = [
      `-p ${port}`,
      `-k ${clusterDir}`,
      '-c listen_addresses=127.0.0.1',
      `-c max_connections=${maxConnections}`,
      ...settings.map((setting) => `-c ${setting}`),
    ].join(' ');
    try {
      await runPostgresBinary('pg_ctl', ['-D', dataDir, '-l', clusterLog(directory), '-w', '-t', '60', '-o', serverOptions, 'start']);
      return `postgresql://postgres@127.0.0.1:${port}/postgres`;
    } catch (error) {
      lastError = error as Error; // most likely another process took the port in between
    }
  }
  throw lastError ?? new Error('pg_ctl start failed');
}

/** The server log of the cluster started in `directory`. */
export function clusterLog(directory: string): string {
  return join(directory, CLUSTER_DIR, 'server.log');
}

/** Stops the cluster started in `directory`, if it runs, and removes the directory. */
export async function stopAndRemoveCluster(directory: string): Promise<void> {
  const dataDir = join(directory, CLUSTER_DIR, 'data');
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    // Immediate: nothing in a throwaway cluster is worth a clean shutdown.
    await runPostgresBinary('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  }
  rmSync(directory, { recursive: true, force: true });
}

/** Runs one statement on the database at `url` (administration). */
export async function queryOnce<Row extends Record<string, unknown>>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Creates an empty database `name` on the cluster at `clusterUrl` and returns its URL. */
export async function createDatabase(clusterUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" must be a plain lower-case identifier`);
  await queryOnce(clusterUrl, `CREATE DATABASE ${name} TEMPLATE template0`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
