/**
 * Runs a program asynchronously and collects its output: the one process runner of the repo's
 * tooling (tests, the demo, benchmarks, generators).
 *
 * Asynchronous on purpose: callers often run terraform against a control plane served from the
 * same Node process, which spawnSync would freeze (a deadlock). An unexpected exit code or a
 * timeout rejects with the full stdout and stderr, so a failure explains itself.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCommandOptions {
  readonly cwd: string;
  /** Default: this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Exit codes that count as success; anything else rejects with the full output. Default [0]. */
  readonly expectExitCodes?: readonly number[];
  /** Default 180 s: an apply of 50 keys on a busy 2-core machine can take a while. */
  readonly timeoutMs?: number;
}

export function runCommand(program: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  const command = [program, ...args].join(' ');
  const expected = options.expectExitCodes ?? [0];
  const timeoutMs = options.timeoutMs ?? 180_000;
  return new Promise<CommandResult>((resolvePromise, reject) => {
    const child = spawn(program, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // terraform traps SIGTERM to finish gracefully; SIGKILL follows if it does not stop.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new Error(`${program} is not on PATH (needed for: ${command})`) : error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? -1;
      const result = { command, exitCode, stdout, stderr };
      const output = `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
      if (timedOut) reject(new Error(`${command} timed out after ${timeoutMs} ms (in ${options.cwd})\n${output}`));
      else if (!expected.includes(exitCode))
        reject(new Error(`${command} exited with ${signal ?? exitCode}, expected ${expected.join(' or ')} (in ${options.cwd})\n${output}`));
      else resolvePromise(result);
    });
  });
}
