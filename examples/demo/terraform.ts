/**
 * The demo's terraform: the provider installed from a filesystem mirror written by
 * `npm run provider:mirror`, through a CLI config of the demo's own (never the user's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mirrorCliConfiguration } from '../../provider/scripts/write-mirror';
import { type CommandResult, runCommand } from '../../scripts/lib/run-command';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface Terraform {
  readonly env: NodeJS.ProcessEnv;
  run(args: readonly string[], cwd: string, expectExitCodes?: readonly number[]): Promise<CommandResult>;
}

/** Builds the provider, writes the mirror and CLI config under `workDir`, and returns a runner. */
export async function prepareTerraform(workDir: string, extraEnv: NodeJS.ProcessEnv): Promise<Terraform> {
  const npmEnv = { ...process.env, npm_config_update_notifier: 'false' };
  await runCommand('npm', ['run', '--silent', 'build:provider'], { cwd: REPO_ROOT, env: npmEnv });
  const mirror = path.join(workDir, 'provider-mirror');
  await runCommand('npm', ['run', '--silent', 'provider:mirror', '--', mirror], { cwd: REPO_ROOT, env: npmEnv });
  const cliConfig = path.join(workDir, 'terraform.rc');
  fs.writeFileSync(cliConfig, mirrorCliConfiguration(mirror));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TF_') && !name.startsWith('MANAGED_')));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...extraEnv,
  };
  return {
    env,
    run: (args, cwd, expectExitCodes = [0]) => runCommand('terraform', [args[0]!, '-no-color', ...args.slice(1)], { cwd, env, expectExitCodes }),
  };
}
