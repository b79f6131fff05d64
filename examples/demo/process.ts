// Async child processes for the demo (never spawnSync: the demo's own requests must keep flowing).
import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Exit codes that count as success; anything else rejects with the output. Default [0]. */
  readonly expectExitCodes?: readonly number[];
}

export function run(program: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  const expected = options.expectExitCodes ?? [0];
  const command = [program, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(`${program} is not on PATH (needed for: ${command})`) : error),
    );
    child.on('close', (code, signal) => {
      const exitCode = code ?? -1;
      if (expected.includes(exitCode)) resolve({ exitCode, stdout, stderr });
      else reject(new Error(`${command} exited with ${signal ?? exitCode} (in ${options.cwd})\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
  });
}
