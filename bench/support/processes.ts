/**
 * Benchmark targets run in their own processes, so the load generator (autocannon, in the bench
 * process) does not share an event loop with the server it measures.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateSecret } from '../../control-plane/src/domain/secret';

export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

export interface BenchProcess {
  readonly url: string;
  stop(): Promise<void>;
}

function spawnListening(script: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPOSITORY_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${stdout}`)), 60_000);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${stdout}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1]! });
      }
    });
  });
}

function stopper(child: ChildProcess, cleanup: () => void = () => undefined): () => Promise<void> {
  return () =>
    new Promise((resolvePromise) => {
      child.once('exit', () => {
        cleanup();
        resolvePromise();
      });
      child.kill('SIGTERM');
    });
}

export interface ControlPlaneProcess extends BenchProcess {
  readonly ownerKey: string;
}

/** `npm start`'s entry point (run from source through tsx) over a fresh data directory. */
export async function startControlPlaneProcess(): Promise<ControlPlaneProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'managed-bench-'));
  const ownerKey = generateSecret();
  const { child, url } = await spawnListening('control-plane/src/main.ts', {
    ...process.env,
    MANAGED_DATA_DIR: dataDir,
    MANAGED_BOOTSTRAP_KEY: ownerKey,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  return { url, ownerKey, stop: stopper(child, () => rmSync(dataDir, { recursive: true, force: true })) };
}

export async function startBaselineServer(status: number, body: string): Promise<BenchProcess> {
  const { child, url } = await spawnListening('bench/support/baseline-server.ts', {
    ...process.env,
    BASELINE_STATUS: String(status),
    BASELINE_BODY: body,
  });
  return { url, stop: stopper(child) };
}
