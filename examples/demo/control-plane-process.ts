/**
 * Runs the control plane as `npm start` does (same entry module, same environment variables),
 * from source with tsx so the demo needs no build step, on a free loopback port with its SQLite
 * data in `dataDir`. The owner key is read from the bootstrap file the first start writes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;

export interface RunningControlPlane {
  readonly endpoint: string;
  readonly ownerKey: string;
  stop(): Promise<void>;
}

export async function startControlPlaneProcess(dataDir: string): Promise<RunningControlPlane> {
  const port = await freeLoopbackPort();
  // `node --import tsx` keeps it one process, so SIGTERM reaches the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'control-plane', 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MANAGED_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Kept for error reports only: stdout carries the bootstrap key, which the demo never echoes.
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, () => stderr);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const ownerKey = fs.readFileSync(path.join(dataDir, 'bootstrap-owner-key'), 'utf8').trim();
  return { endpoint, ownerKey, stop: () => stopChild(child) };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the control plane exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${endpoint}/v1/scopes`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the control plane did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A port the OS just handed out on 127.0.0.1 (the control plane then binds it itself). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
