/**
 * Runs the real `terraform` binary for end-to-end tests, each in its own temp directory with its
 * own CLI configuration. Shared by the provider and CDKTF tests.
 *
 *   const workspace = await createTerraformWorkspace({ files: { 'main.tf': hcl }, env: { MANAGED_ENDPOINT: url } });
 *   await workspace.terraform(['init']);
 *   const plan = await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
 *   await workspace.cleanup();
 *
 * Rules it enforces (see ../shared/reference/terraform-plugin-protocol.md):
 * - its own TF_CLI_CONFIG_FILE (the machine's points at a file that does not exist) with a
 *   filesystem_mirror for registry.terraform.io/managed-dev/managed and `direct` for everything
 *   else, so `terraform init` installs our provider offline through the mirror;
 * - CHECKPOINT_DISABLE=1, TF_IN_AUTOMATION=1, TF_INPUT=0;
 * - ASYNC child processes only: a test's in-process control plane must keep answering while
 *   terraform runs, which spawnSync would prevent (deadlock);
 * - a missing terraform binary is an error, never a skip.
 */
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { mirrorCliConfiguration } from '../../provider/scripts/write-mirror';
import { type CommandResult, type RunCommandOptions, runCommand } from '../../scripts/lib/run-command';

export { type CommandResult, runCommand };

export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

export interface TerraformOptions extends RunCommandOptions {
  /** Required: terraform must never see the machine's own CLI configuration. */
  readonly env: NodeJS.ProcessEnv;
  /** Adds -no-color to commands that take it (default true) so assertions see plain text. */
  readonly noColor?: boolean;
}

// Commands with subcommands (state, providers) take no -no-color in this position, so they are not listed.
const COMMANDS_WITH_NO_COLOR = new Set(['init', 'validate', 'plan', 'apply', 'destroy', 'import', 'refresh', 'show', 'output', 'console', 'taint', 'untaint']);

/** Runs terraform; see TerraformOptions. */
export function terraform(args: readonly string[], options: TerraformOptions): Promise<CommandResult> {
  const withColor = options.noColor !== false && COMMANDS_WITH_NO_COLOR.has(args[0] ?? '') && !args.includes('-no-color');
  const fullArgs = withColor ? [args[0]!, '-no-color', ...args.slice(1)] : [...args];
  return runCommand('terraform', fullArgs, options);
}

/** Fails loudly (never skips) when terraform is missing; returns its version line. */
export async function requireTerraform(): Promise<string> {
  const result = await runCommand('terraform', ['version'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
  });
  return result.stdout.split('\n')[0] ?? '';
}

let mirrorPromise: Promise<string> | undefined;

export const PROVIDER_BUNDLE = join(REPOSITORY_ROOT, 'provider', 'dist', 'terraform-provider-managed.js');
/** Sources the bundle is built from; a newer file here means the bundle is stale. */
const BUNDLE_SOURCES = [join(REPOSITORY_ROOT, 'provider', 'src'), join(REPOSITORY_ROOT, 'control-plane', 'src', 'domain'), join(REPOSITORY_ROOT, 'schema')];

async function newestModification(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestModification(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when provider/dist holds no bundle or one older than its sources. */
export async function providerBundleIsStale(): Promise<boolean> {
  const built = await stat(PROVIDER_BUNDLE).then(
    (info) => info.mtimeMs,
    () => undefined,
  );
  if (built === undefined) return true;
  const sources = await Promise.all(BUNDLE_SOURCES.map(newestModification));
  return Math.max(...sources) > built;
}

/**
 * Writes the filesystem mirror once per test process (memoised) into a temp directory with
 * `npm run --silent provider:mirror`; every workspace's CLI config points at it. The bundle is
 * rebuilt first only when it is missing or older than its sources (`npm test` builds it before
 * any test runs), so a test never rewrites a bundle another terraform run is launching.
 */
export function providerMirror(): Promise<string> {
  mirrorPromise ??= (async () => {
    const directory = await mkdtemp(join(tmpdir(), 'managed-provider-mirror-'));
    const env = { ...process.env, npm_config_update_notifier: 'false' };
    if (await providerBundleIsStale()) {
      await runCommand('npm', ['run', '--silent', 'build:provider'], { cwd: REPOSITORY_ROOT, env, timeoutMs: 300_000 });
    }
    await runCommand('npm', ['run', '--silent', 'provider:mirror', '--', directory], { cwd: REPOSITORY_ROOT, env, timeoutMs: 300_000 });
    return directory;
  })();
  return mirrorPromise;
}

/** Deletes the memoised mirror (a test file does this by itself in afterAll; scripts call it when done). */
export async function removeProviderMirror(): Promise<void> {
  const pending = mirrorPromise;
  mirrorPromise = undefined;
  const directory = await pending?.catch(() => undefined);
  if (directory) await rm(directory, { recursive: true, force: true });
}

// Jest gives every test file its own module registry, hence its own mirror: remove it with the file.
if (typeof afterAll === 'function') afterAll(removeProviderMirror);

export interface TerraformWorkspace {
  /** The working directory (the root module); write main.tf here. */
  readonly dir: string;
  /** The environment every command of this workspace runs with. */
  readonly env: NodeJS.ProcessEnv;
  readonly cliConfigPath: string;
  readonly mirrorDirectory: string;
  /** Writes a file relative to `dir` (directories are created). */
  writeFile(relativePath: string, content: string): Promise<void>;
  /** terraform in this workspace, with this workspace's env plus `extraEnv`. */
  terraform(args: readonly string[], options?: Partial<Omit<TerraformOptions, 'cwd' | 'env'>> & { extraEnv?: NodeJS.ProcessEnv }): Promise<CommandResult>;
  /** Removes the temp directory (keep it for a post-mortem with KEEP_TERRAFORM_WORKSPACES=1). */
  cleanup(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Files to write into the workspace, e.g. { 'main.tf': '…' }. */
  readonly files?: Readonly<Record<string, string>>;
  /** Added to the environment (MANAGED_ENDPOINT, MANAGED_TOKEN, TF_VAR_…). */
  readonly env?: NodeJS.ProcessEnv;
  /** Another mirror directory; default: the memoised providerMirror(). */
  readonly mirrorDirectory?: string;
}

/** Inherited variables that would make runs depend on the machine rather than the test. */
const SCRUBBED_VARIABLES = [
  'TF_CLI_CONFIG_FILE',
  'TF_PLUGIN_CACHE_DIR',
  'TF_DATA_DIR',
  'TF_WORKSPACE',
  'TF_CLI_ARGS',
  'TF_REATTACH_PROVIDERS',
  'MANAGED_ENDPOINT',
  'MANAGED_TOKEN',
];

export async function createTerraformWorkspace(options: WorkspaceOptions = {}): Promise<TerraformWorkspace> {
  const mirrorDirectory = options.mirrorDirectory ?? (await providerMirror());
  const dir = await mkdtemp(join(tmpdir(), 'managed-tf-'));
  const cliConfigPath = join(dir, '.terraformrc');
  await writeFile(cliConfigPath, mirrorCliConfiguration(mirrorDirectory));
  const inherited = { ...process.env };
  for (const name of SCRUBBED_VARIABLES) delete inherited[name];
  for (const name of Object.keys(inherited)) if (name.startsWith('TF_CLI_ARGS_')) delete inherited[name];
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    TF_CLI_CONFIG_FILE: cliConfigPath,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...options.env,
  };
  const workspace: TerraformWorkspace = {
    dir,
    env,
    cliConfigPath,
    mirrorDirectory,
    async writeFile(relativePath, content) {
      const target = join(dir, relativePath);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    },
    terraform(args, runOptions = {}) {
      const { extraEnv, ...rest } = runOptions;
      return terraform(args, { cwd: dir, env: { ...env, ...extraEnv }, ...rest });
    },
    async cleanup() {
      if (process.env.KEEP_TERRAFORM_WORKSPACES === '1') return;
      await rm(dir, { recursive: true, force: true });
    },
  };
  for (const [path, content] of Object.entries(options.files ?? {})) await workspace.writeFile(path, content);
  return workspace;
}

/** The 1-based line of the first line of `text` containing `needle` (for "on main.tf line N" assertions). */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" does not occur in the given text`);
  return index + 1;
}
