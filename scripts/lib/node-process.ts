/**
 * Long-running Node services for the repo's tooling (the demo, the benchmarks): started from
 * source through tsx as one process (so SIGTERM reaches the server itself, not a wrapper), bound
 * to a port the OS picks, and considered ready when they print "listening on <url>" on stdout.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;
const LISTENING = /listening on (http:\/\/\S+)/;

export interface RunningService {
  readonly url: string;
  /** The process id (benchmarks pin it to a CPU and read its CPU time). */
  readonly pid: number;
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (no shutdown hooks run), as a crash would; resolves once it is gone. */
  crash(): Promise<void>;
  /**
   * What it printed on stdout before saying where it listens (the bootstrap announcement, if this
   * start bootstrapped). Kept in memory only: it may name a freshly generated key file.
   */
  readonly printedBeforeReady: readonly string[];
}

/** Starts `script` (relative to the repository root) and resolves once it says where it listens. */
export function startNodeService(script: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): Promise<RunningService> {
  // TypeScript sources run through tsx; built JavaScript (dist/) runs as it is, and starts faster.
  const args = [...nodeFlags, ...(script.endsWith('.ts') ? ['--import', 'tsx', script] : [script])];
  const child = spawn(process.execPath, args, { cwd: REPOSITORY_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stopWith = (signal: NodeJS.Signals) => (): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolveStop) => {
          child.once('exit', () => resolveStop());
          child.kill(signal);
        });
  const stop = stopWith('SIGTERM');
  // Only stderr is kept for error reports: stdout may carry a freshly generated bootstrap key.
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolveStart, reject) => {
    let pending = '';
    const printedBeforeReady: string[] = [];
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${script} ${why}\n--- stderr ---\n${stderr}`)));
    };
    const timer = setTimeout(() => fail(`did not say where it listens within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? code} before listening`));
    child.stdout.setEncoding('utf8').on('data', function scan(chunk: string) {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = LISTENING.exec(line);
        if (!match) {
          printedBeforeReady.push(line);
          continue;
        }
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout.off('data', scan).resume();
        resolveStart({ url: match[1]!, pid: child.pid!, stop, crash: stopWith('SIGKILL'), printedBeforeReady });
        return;
      }
    });
  });
}

export interface ControlPlaneProcess extends RunningService {
  /** The bootstrap owner key: MANAGED_BOOTSTRAP_KEY when given, else the one the first start wrote. */
  readonly ownerKey: string;
}

/** A replica of a shared (PostgreSQL) store: only the one that bootstrapped has a key file. */
export interface ControlPlaneReplica extends RunningService {
  /** The key file's path when this start wrote one (it won the bootstrap), else undefined. */
  readonly bootstrapKeyFile: string | undefined;
}

export const BOOTSTRAP_KEY_FILE = 'bootstrap-owner-key';

/** Where `npm run build` puts `npm start`'s entry module. */
export const BUILT_MAIN = 'dist/control-plane/src/main.js';

/**
 * `npm start`'s entry module over `dataDir`, on 127.0.0.1 and a port the OS picks: from source by
 * default, or `entry: BUILT_MAIN` for the build (what `npm start` runs; starts faster).
 */
export async function startControlPlaneProcess(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  entry: string = 'control-plane/src/main.ts',
  /** Flags for node itself (`--cpu-prof` is refused in NODE_OPTIONS). */
  nodeFlags: readonly string[] = [],
): Promise<ControlPlaneProcess> {
  const service = await startControlPlaneReplica(dataDir, env, entry, nodeFlags);
  const ownerKey = env.MANAGED_BOOTSTRAP_KEY ?? readFileSync(join(dataDir, BOOTSTRAP_KEY_FILE), 'utf8').trim();
  return { ...service, ownerKey };
}

/**
 * Like startControlPlaneProcess, for one of several replicas sharing a database: a replica that
 * did not bootstrap has no key file, and that is not an error.
 */
export async function startControlPlaneReplica(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  entry: string = 'control-plane/src/main.ts',
  nodeFlags: readonly string[] = [],
): Promise<ControlPlaneReplica> {
  const service = await startNodeService(
    entry,
    {
      ...process.env,
      ...env,
      MANAGED_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
    },
    nodeFlags,
  );
  const keyFile = join(dataDir, BOOTSTRAP_KEY_FILE);
  return { ...service, bootstrapKeyFile: existsSync(keyFile) ? keyFile : undefined };
}
