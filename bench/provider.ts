/**
 * npm run bench:provider
 *
 * (1) Start cost: time from spawning the provider to its handshake line, beside `node -e 0`
 *     measured in the same run (interleaved, so machine load hits every variant alike), for:
 *     - unbundled: the tsc output, Node resolving and compiling every module (the "before");
 *     - bundled: one esbuild bundle;
 *     - bundled + V8 code cache: what `npm run build` ships (provider/dist/terraform-provider-managed.js);
 *     - the same through the mirror's shell launcher, as Terraform starts it;
 *     - the release's linux_amd64 single executable (Node SEA of the bundle, see scripts/release).
 * (2) `terraform apply` creating and `terraform plan` refreshing 10 / 100 / 500 managed_api_key
 *     beside as many terraform_data, same run, against a real control plane (its own process) on
 *     a loopback port, through the filesystem mirror. A second baseline, terraform_data padded so
 *     each instance's attributes serialise to as many state bytes as a managed_api_key's, shows
 *     what Terraform itself spends on state of that size: it rewrites the whole state file after
 *     every created resource, so an apply's own cost grows with N × the state's size.
 *
 * `npm run bench:provider -- start` or `-- plan` runs one part.
 * Environment: BENCH_START_RUNS (default 21), BENCH_RUNS (default 3), BENCH_SIZES (default 10,100,500),
 * BENCH_BEFORE_CHECKOUT: another built checkout (e.g. main's worktree); its provider, installed through
 * a mirror written by that checkout's own `npm run provider:mirror` (its launcher too), is measured in
 * (2) as a third column, interleaved, for a before/after in one run.
 * Medians are printed; ratios are against the baseline of the same run.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleProviderCode, writeLauncher } from '../provider/scripts/bundle';
import { buildSingleExecutable } from '../scripts/release/single-executable';
import { createServerCertificate } from '../provider/src/framework/plugin/certificate';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../provider/src/framework/plugin/handshake';
import { createTerraformWorkspace, removeProviderMirror, REPOSITORY_ROOT, runCommand, type TerraformWorkspace } from '../test/support/terraform';
import { startControlPlaneProcess } from '../scripts/lib/node-process';

const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 21);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '10,100,500').split(',').map(Number);

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
    await runCommand('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', unbundledDir], {
      cwd: REPOSITORY_ROOT,
      env: process.env,
      expectExitCodes: [0, 1, 2],
    });
    symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(unbundledDir, 'node_modules'));
    // tsc does not emit the generated protocol module (JavaScript with a .d.ts); copy it beside its importers.
    const generated = join('provider', 'src', 'framework', 'protocol', 'generated', 'protocol.js');
    mkdirSync(dirname(join(unbundledDir, generated)), { recursive: true });
    copyFileSync(join(REPOSITORY_ROOT, generated), join(unbundledDir, generated));
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
    const launcher = join(unbundledDir, 'terraform-provider-managed-launcher');
    writeLauncher(launcher, join(dist, 'terraform-provider-managed.js'));
    const variants: Array<{ label: string; args: string[]; until: 'exit' | 'handshake'; program?: string }> = [
      { label: 'node -e 0 (baseline)', args: ['-e', '0'], until: 'exit' },
      { label: 'unbundled tsc output (before)', args: [join(unbundledDir, 'provider', 'src', 'main.js')], until: 'handshake' },
      { label: 'bundled, no code cache', args: [join(dist, 'terraform-provider-managed.core.js')], until: 'handshake' },
      { label: 'bundled + V8 code cache (after)', args: [join(dist, 'terraform-provider-managed.js')], until: 'handshake' },
      // What Terraform runs from the mirror: the shell launcher, which also defers NODE_EXTRA_CA_CERTS.
      { label: 'mirror launcher → bundle + cache', args: [], until: 'handshake', program: launcher },
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

async function timed(workspace: TerraformWorkspace, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  await workspace.terraform(args, { timeoutMs: 900_000 });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

interface StateInstance {
  attributes?: Record<string, unknown>;
  sensitive_attributes?: unknown;
}

/** The mean length of one resource instance's attributes (and sensitive paths) as JSON, from a workspace's state. */
function attributeBytesPerInstance(workspace: TerraformWorkspace): number {
  const state = JSON.parse(readFileSync(join(workspace.dir, 'terraform.tfstate'), 'utf8')) as { resources: Array<{ instances: StateInstance[] }> };
  const instances = state.resources.flatMap((resource) => resource.instances);
  if (instances.length === 0) throw new Error(`no resource instance in ${workspace.dir}/terraform.tfstate`);
  const bytes = instances.map((instance) => JSON.stringify(instance.attributes).length + JSON.stringify(instance.sensitive_attributes ?? []).length);
  return bytes.reduce((sum, length) => sum + length, 0) / instances.length;
}

/**
 * terraform_data whose `triggers_replace` holds a string long enough that each instance's
 * attributes are as long as `targetBytes` (Terraform stores triggers_replace once, with its type).
 */
function sizedDataConfiguration(size: number, targetBytes: number): string {
  const instance = (padding: string) => ({
    id: '00000000-0000-0000-0000-000000000000',
    input: { value: 'bench-0', type: 'string' },
    output: { value: 'bench-0', type: 'string' },
    triggers_replace: { value: padding, type: 'string' },
  });
  const padding = 'x'.repeat(Math.max(0, Math.round(targetBytes - JSON.stringify(instance('')).length - 2)));
  return `resource "terraform_data" "bench" {\n  count            = ${size}\n  input            = "bench-\${count.index}"\n  triggers_replace = "${padding}"\n}\n`;
}

/**
 * For each size: `terraform apply` creating N resources and `terraform plan` refreshing them, for
 * managed_api_key and terraform_data alternately (same run, same machine load), then both are
 * destroyed (not timed) so every apply starts from an empty state. The control plane runs in
 * its own process (npm start's entry), as terraform does.
 */
async function benchPlanAndApply(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'managed-bench-cp-'));
  const controlPlane = await startControlPlaneProcess(dataDir);
  const workspaces: TerraformWorkspace[] = [];
  const rows: string[] = [];
  const stateSizes: string[] = [];
  const beforeCheckout = process.env.BENCH_BEFORE_CHECKOUT;
  const beforeMirror = beforeCheckout ? mkdtempSync(join(tmpdir(), 'managed-bench-before-mirror-')) : undefined;
  if (beforeCheckout && beforeMirror) {
    await runCommand('npm', ['run', '--silent', 'provider:mirror', '--', beforeMirror], { cwd: beforeCheckout, env: process.env });
  }
  try {
    const header = 'terraform {\n  required_providers {\n    managed = { source = "managed-dev/managed" }\n  }\n}\n';
    for (const size of SIZES) {
      const keysWorkspace = (mirrorDirectory?: string): Promise<TerraformWorkspace> =>
        createTerraformWorkspace({
          files: {
            'main.tf': `${header}\nprovider "managed" {}\n\nresource "managed_api_key" "bench" {\n  count  = ${size}\n  name   = "bench-\${count.index}"\n  scopes = ["sites:read"]\n}\n`,
          },
          env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
          mirrorDirectory,
        });
      const keys = await keysWorkspace();
      const before = beforeMirror ? await keysWorkspace(beforeMirror) : undefined;
      const data = await createTerraformWorkspace({
        files: { 'main.tf': `resource "terraform_data" "bench" {\n  count = ${size}\n  input = "bench-\${count.index}"\n}\n` },
      });
      const all = [keys, data, ...(before ? [before] : [])];
      workspaces.push(...all);
      for (const workspace of all) await workspace.terraform(['init']);
      process.stderr.write(`${size} resources: ${RUNS} interleaved runs of apply + plan…\n`);
      const samples = {
        keysApply: [] as number[],
        dataApply: [] as number[],
        sizedApply: [] as number[],
        beforeApply: [] as number[],
        keysPlan: [] as number[],
        dataPlan: [] as number[],
        sizedPlan: [] as number[],
        beforePlan: [] as number[],
      };
      // Written once the first apply of managed_api_key has shown how many bytes one instance stores.
      let sized: TerraformWorkspace | undefined;
      for (let run = 0; run < RUNS; run++) {
        samples.dataApply.push(await timed(data, ['apply', '-auto-approve', '-input=false']));
        if (before) samples.beforeApply.push(await timed(before, ['apply', '-auto-approve', '-input=false']));
        samples.keysApply.push(await timed(keys, ['apply', '-auto-approve', '-input=false']));
        if (!sized) {
          sized = await createTerraformWorkspace({ files: { 'main.tf': sizedDataConfiguration(size, attributeBytesPerInstance(keys)) } });
          workspaces.push(sized);
          await sized.terraform(['init']);
        }
        samples.sizedApply.push(await timed(sized, ['apply', '-auto-approve', '-input=false']));
        samples.dataPlan.push(await timed(data, ['plan', '-input=false']));
        if (before) samples.beforePlan.push(await timed(before, ['plan', '-input=false']));
        samples.keysPlan.push(await timed(keys, ['plan', '-input=false']));
        samples.sizedPlan.push(await timed(sized, ['plan', '-input=false']));
        if (run === 0) {
          stateSizes.push(
            `  N=${size}: managed_api_key ${attributeBytesPerInstance(keys).toFixed(0)} B, terraform_data ${attributeBytesPerInstance(data).toFixed(0)} B, ` +
              `sized terraform_data ${attributeBytesPerInstance(sized).toFixed(0)} B`,
          );
        }
        for (const workspace of [...all, sized]) await workspace.terraform(['destroy', '-auto-approve', '-input=false'], { timeoutMs: 900_000 });
      }
      for (const [what, mine, baseline, sizedBaseline, earlier] of [
        ['apply', samples.keysApply, samples.dataApply, samples.sizedApply, samples.beforeApply],
        ['plan', samples.keysPlan, samples.dataPlan, samples.sizedPlan, samples.beforePlan],
      ] as const) {
        const ours = median(mine);
        const theirs = median(baseline);
        const sizedTheirs = median(sizedBaseline);
        const beforeColumn = before ? `   ${median(earlier).toFixed(0).padStart(7)} ms ×${(median(earlier) / theirs).toFixed(2)}` : '';
        rows.push(
          `  ${what.padEnd(6)} ${String(size).padStart(4)}   ${ours.toFixed(0).padStart(7)} ms   ${theirs.toFixed(0).padStart(7)} ms   ×${(ours / theirs).toFixed(2)}` +
            `   ${sizedTheirs.toFixed(0).padStart(7)} ms ×${(sizedTheirs / theirs).toFixed(2)}   ×${(ours / sizedTheirs).toFixed(2)}${beforeColumn}`,
        );
      }
    }
    console.log(`\n(2) terraform apply (create) and plan (refresh) of N managed_api_key vs N terraform_data, median of ${RUNS} interleaved runs`);
    console.log('    sized = terraform_data padded to store as many attribute bytes per instance as managed_api_key:');
    console.log("    its ratio is what Terraform alone spends on state of that size; 'vs sized' is ours against it");
    console.log(
      `  what      N   managed_api_key   terraform_data   ratio   sized terraform_data   vs sized${beforeMirror ? '   BENCH_BEFORE_CHECKOUT, ratio' : ''}`,
    );
    for (const row of rows) console.log(row);
    console.log('  attribute bytes per instance (JSON, first run):');
    for (const line of stateSizes) console.log(line);
  } finally {
    if (beforeMirror) rmSync(beforeMirror, { recursive: true, force: true });
    await Promise.all(workspaces.map((workspace) => workspace.cleanup()));
    await removeProviderMirror();
    await controlPlane.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only !== 'plan') await benchStart();
  if (only !== 'start') await benchPlanAndApply();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:provider failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
