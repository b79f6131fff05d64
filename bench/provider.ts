/**
 * npm run bench:provider
 *
 * (1) Start cost: time from spawning the provider to its handshake line, beside `node -e 0`
 *     measured in the same run (interleaved, so machine load hits every variant alike), for:
 *     - unbundled: the tsc output, Node resolving and compiling every module (the "before");
 *     - bundled: one esbuild bundle;
 *     - bundled + V8 code cache: what `npm run build` ships (provider/dist/terraform-provider-managed.js);
 *     - the release's linux_amd64 single executable (Node SEA of the bundle, see scripts/release).
 * (2) `terraform plan` refreshing 200 managed_api_key beside 200 terraform_data, same run, against
 *     a real control plane on a loopback port, through the filesystem mirror.
 *
 * Environment: BENCH_START_RUNS (default 21), BENCH_PLAN_RUNS (default 3), BENCH_KEYS (default 200).
 * Medians are printed; ratios are against the baseline of the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleProviderCode } from '../provider/scripts/bundle';
import { buildSingleExecutable } from '../scripts/release/single-executable';
import { createServerCertificate } from '../provider/src/framework/plugin/certificate';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../provider/src/framework/plugin/handshake';
import { createTerraformWorkspace, removeProviderMirror, REPOSITORY_ROOT, runCommand, type TerraformWorkspace } from '../test/support/terraform';
import { startControlPlane } from '../test/support/control-plane';

const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 21);
const PLAN_RUNS = Number(process.env.BENCH_PLAN_RUNS ?? 3);
const KEYS = Number(process.env.BENCH_KEYS ?? 200);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const clientCertificate = createServerCertificate().certificatePem;

/** Milliseconds from spawn to exit (baseline) or to the first stdout line (a provider's handshake). */
function timeLaunch(args: string[], until: 'exit' | 'handshake', program: string = process.execPath): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(program, args, {
      env: { ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6,5', PLUGIN_CLIENT_CERT: clientCertificate },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.on('error', reject);
    if (until === 'exit') {
      child.on('exit', () => resolve(elapsed()));
      return;
    }
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (buffered.includes('\n')) return;
      buffered += chunk.toString('utf8');
      if (!buffered.includes('\n')) return;
      const time = elapsed();
      if (!/^1\|6\|unix\|[^|]+\|grpc\|/.test(buffered)) reject(new Error(`not a handshake line: ${buffered}`));
      // SIGTERM lets the provider remove its socket directory.
      child.on('exit', () => resolve(time));
      child.kill('SIGTERM');
    });
  });
}

async function benchStart(): Promise<void> {
  process.stderr.write('building: tsc output (unbundled) and the provider bundle…\n');
  const unbundledDir = mkdtempSync(join(tmpdir(), 'managed-bench-tsc-'));
  try {
    await runCommand('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', unbundledDir], { cwd: REPOSITORY_ROOT, env: process.env, expectExitCodes: [0, 1, 2] });
    symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(unbundledDir, 'node_modules'));
    await runCommand('npm', ['run', '--silent', 'build:provider'], { cwd: REPOSITORY_ROOT, env: process.env });
    const dist = join(REPOSITORY_ROOT, 'provider', 'dist');
    // The release's linux_amd64 package: the same bundle as a single executable (no node on PATH).
    process.stderr.write('building the single executable (as npm run release does)…\n');
    const singleExecutable = join(unbundledDir, 'terraform-provider-managed-sea');
    writeFileSync(
      singleExecutable,
      await buildSingleExecutable(await bundleProviderCode(join(REPOSITORY_ROOT, 'provider', 'src', 'main.ts')), {
        nodeBinary: process.execPath,
        postjectCli: require.resolve('postject/dist/cli.js', { paths: [REPOSITORY_ROOT] }),
      }),
      { mode: 0o755 },
    );
    const variants: Array<{ label: string; args: string[]; until: 'exit' | 'handshake'; program?: string }> = [
      { label: 'node -e 0 (baseline)', args: ['-e', '0'], until: 'exit' },
      { label: 'unbundled tsc output (before)', args: [join(unbundledDir, 'provider', 'src', 'main.js')], until: 'handshake' },
      { label: 'bundled, no code cache', args: [join(dist, 'terraform-provider-managed.core.js')], until: 'handshake' },
      { label: 'bundled + V8 code cache (after)', args: [join(dist, 'terraform-provider-managed.js')], until: 'handshake' },
      { label: 'release single executable (SEA)', args: [], until: 'handshake', program: singleExecutable },
    ];
    for (const variant of variants.slice(1)) {
      const file = variant.program ?? variant.args[0]!;
      if (!existsSync(file)) throw new Error(`${file} is missing`);
    }
    // One warm-up each (also writes the code cache).
    for (const variant of variants) await timeLaunch(variant.args, variant.until, variant.program);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const samples = variants.map(() => [] as number[]);
    for (let run = 0; run < START_RUNS; run++) {
      for (const [index, variant] of variants.entries()) samples[index]!.push(await timeLaunch(variant.args, variant.until, variant.program));
    }
    const baseline = median(samples[0]!);
    console.log(`\n(1) provider start → handshake line, median of ${START_RUNS} interleaved runs`);
    for (const [index, variant] of variants.entries()) {
      const value = median(samples[index]!);
      console.log(`  ${variant.label.padEnd(34)} ${value.toFixed(1).padStart(7)} ms   ×${(value / baseline).toFixed(2)} of node -e 0`);
    }
  } finally {
    rmSync(unbundledDir, { recursive: true, force: true });
  }
}

async function timePlan(workspace: TerraformWorkspace): Promise<number> {
  const started = process.hrtime.bigint();
  await workspace.terraform(['plan', '-detailed-exitcode', '-input=false'], { expectExitCodes: [0], timeoutMs: 600_000 });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function benchPlan(): Promise<void> {
  const controlPlane = await startControlPlane();
  const workspaces: TerraformWorkspace[] = [];
  try {
    const header = 'terraform {\n  required_providers {\n    managed = { source = "managed-dev/managed" }\n  }\n}\n';
    const keys = await createTerraformWorkspace({
      files: { 'main.tf': `${header}\nprovider "managed" {}\n\nresource "managed_api_key" "bench" {\n  count  = ${KEYS}\n  name   = "bench-\${count.index}"\n  scopes = ["sites:read"]\n}\n` },
      env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
    });
    const data = await createTerraformWorkspace({ files: { 'main.tf': `resource "terraform_data" "bench" {\n  count = ${KEYS}\n  input = "bench-\${count.index}"\n}\n` } });
    workspaces.push(keys, data);
    process.stderr.write(`applying ${KEYS} managed_api_key and ${KEYS} terraform_data…\n`);
    for (const workspace of workspaces) {
      await workspace.terraform(['init']);
      await workspace.terraform(['apply', '-auto-approve'], { timeoutMs: 600_000 });
    }
    const samples = { keys: [] as number[], data: [] as number[] };
    for (let run = 0; run < PLAN_RUNS; run++) {
      samples.data.push(await timePlan(data));
      samples.keys.push(await timePlan(keys));
    }
    const dataMedian = median(samples.data);
    const keysMedian = median(samples.keys);
    console.log(`\n(2) terraform plan refreshing ${KEYS} resources, median of ${PLAN_RUNS} interleaved runs`);
    console.log(`  ${`${KEYS} terraform_data (baseline)`.padEnd(34)} ${dataMedian.toFixed(0).padStart(7)} ms`);
    console.log(`  ${`${KEYS} managed_api_key`.padEnd(34)} ${keysMedian.toFixed(0).padStart(7)} ms   ×${(keysMedian / dataMedian).toFixed(2)} of terraform_data`);
  } finally {
    await Promise.all(workspaces.map((workspace) => workspace.cleanup()));
    await removeProviderMirror();
    await controlPlane.close();
  }
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only !== 'plan') await benchStart();
  if (only !== 'start') await benchPlan();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:provider failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
