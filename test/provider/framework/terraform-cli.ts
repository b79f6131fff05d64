import { spawn } from 'node:child_process';

export interface TerraformResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real terraform binary asynchronously (never spawnSync: the event loop must stay
 * free) with a hard timeout. Terraform traps SIGTERM, so the timeout uses SIGKILL.
 */
export function runTerraform(directory: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<TerraformResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd: directory, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run terraform (is it on PATH?): ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Throws with terraform's whole output when the exit code is not the expected one. */
export function expectExit(result: TerraformResult, expected: number, what: string): TerraformResult {
  if (result.code !== expected) {
    throw new Error(`${what}: terraform exited ${result.code}, expected ${expected}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
  return result;
}

/** The environment for a terraform test: own CLI config, no checkpoint calls, no inherited TF_* noise. */
export function terraformEnvironment(cliConfigFile: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('TF_')) env[key] = value;
  }
  return { ...env, TF_CLI_CONFIG_FILE: cliConfigFile, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', ...extra };
}
