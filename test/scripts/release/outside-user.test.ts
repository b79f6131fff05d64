/**
 * The release as a team outside the repository meets it, in order, sharing one release build and
 * one npm install per project for the whole file (the installs are the slow part):
 *   1. two releases from two copies of the repository at different paths, TZ and umask are
 *      byte-identical, and no shipped file (zip entries and tarball files included) names a
 *      build directory or the home directory;
 *   2. with PATH holding only a `terraform` link (no node): init from <release>/mirror, apply,
 *      clean plan, destroy through the linux_amd64 single executable;
 *   3. `terraform providers lock -fs-mirror` records two platforms' h1 hashes (the ones computed
 *      from the zips), and init from the other release's mirror accepts that lock file;
 *   4. a project laid out like `cdktf init --template=typescript` (its stock tsconfig copied from
 *      cdktf-cli's template) installing only the tarballs and the registry's cdktf 0.21:
 *      cdktf synth / deploy / diff after a scope change made through the API / destroy;
 *   5. the same stack on cdktn 0.24 with @managed-dev/cdktn, synthesized by the cdktn library on
 *      Node 20 and deployed with terraform (cdktn-cli needs Node 22).
 * Every control plane is a real one on a loopback port; only the npm registry is reached.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { sourceDateEpoch } from '../../../scripts/release/source-date';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { REPOSITORY_ROOT, requireTerraform, runCommand } from '../../support/terraform';
import { packageHash1, readZip } from '../../support/zip';

jest.setTimeout(900_000);

const VERSION = (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const PROVIDER_ADDRESS = 'registry.terraform.io/managed-dev/managed';
const zipName = (platform: string) => `terraform-provider-managed_${VERSION}_${platform}.zip`;
const TARBALLS = [`managed-dev-cdktf-${VERSION}.tgz`, `managed-dev-cdktn-${VERSION}.tgz`, `managed-dev-contract-${VERSION}.tgz`];

const runDir = mkdtempSync(join(tmpdir(), 'managed-release-test-'));
const checkoutA = join(runDir, 'a', 'managed');
const checkoutB = join(runDir, 'somewhere', 'else', 'entirely', 'checkout');
const releaseA = join(runDir, 'release-a');
const releaseB = join(runDir, 'release-b');
const terraformBinary = execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim();
const timings: Record<string, number> = {};

let controlPlane: TestControlPlane;

/** npm and its settings must not leak from `npm test` into a user's project (npm_config_*, npm_package_*). */
function userEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|TF_|MANAGED_|INIT_CWD$|NODE_OPTIONS$)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, CHECKPOINT_DISABLE: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** The working tree as git sees it (tracked and untracked-but-not-ignored files), node_modules linked. */
function copyCheckout(target: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const source = join(REPOSITORY_ROOT, file);
    if (!existsSync(source)) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(source, join(target, file));
  }
  for (const modules of ['node_modules', join('packages', 'cdktn', 'node_modules')]) {
    symlinkSync(join(REPOSITORY_ROOT, modules), join(target, modules));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(dir, file)).isFile())
    .sort();
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round((Date.now() - started) / 100) / 10;
  }
}

beforeAll(async () => {
  await requireTerraform();
  const epoch = String(sourceDateEpoch(REPOSITORY_ROOT));
  copyCheckout(checkoutA);
  copyCheckout(checkoutB);
  await timed('release build A', () =>
    runCommand('sh', ['-c', 'umask 022 && exec npm run --silent release -- "$0"', releaseA], {
      cwd: checkoutA,
      env: userEnvironment({ SOURCE_DATE_EPOCH: epoch, TZ: 'UTC' }),
      timeoutMs: 600_000,
    }),
  );
  await timed('release build B', () =>
    runCommand('sh', ['-c', 'umask 077 && exec npm run --silent release -- "$0"', releaseB], {
      cwd: checkoutB,
      env: userEnvironment({ SOURCE_DATE_EPOCH: epoch, TZ: 'Pacific/Chatham' }),
      timeoutMs: 600_000,
    }),
  );
  controlPlane = await startControlPlane();
}, 1_200_000);

afterAll(async () => {
  await controlPlane?.close();
  process.stderr.write(`outside-user timings (s): ${JSON.stringify(timings)}\n`);
  if (process.env.KEEP_TERRAFORM_WORKSPACES !== '1') rmSync(runDir, { recursive: true, force: true });
});

describe('npm run release', () => {
  it('writes the provider packages, checksums, manifest, packed mirror and npm tarballs', () => {
    const platforms = ['darwin_amd64', 'darwin_arm64', 'linux_amd64', 'linux_arm64'];
    expect(filesUnder(releaseA)).toEqual(
      [
        ...TARBALLS.map((name) => `npm/${name}`),
        ...platforms.map((platform) => `mirror/${PROVIDER_ADDRESS}/${zipName(platform)}`),
        `terraform-provider-managed_${VERSION}_SHA256SUMS`,
        ...platforms.map(zipName),
        `terraform-provider-managed_${VERSION}_manifest.json`,
      ].sort(),
    );
    expect(JSON.parse(readFileSync(join(releaseA, `terraform-provider-managed_${VERSION}_manifest.json`), 'utf8'))).toEqual({
      version: 1,
      metadata: { protocol_versions: ['6.0'] },
    });
    const sums = readFileSync(join(releaseA, `terraform-provider-managed_${VERSION}_SHA256SUMS`), 'utf8');
    const listed = sums
      .trimEnd()
      .split('\n')
      .map((line) => line.split('  ')[1]);
    expect(listed).toEqual([...platforms.map(zipName), `terraform-provider-managed_${VERSION}_manifest.json`].sort());
    const verified = execFileSync('sha256sum', ['--check', '--strict', `terraform-provider-managed_${VERSION}_SHA256SUMS`], {
      cwd: releaseA,
      encoding: 'utf8',
    });
    expect(verified.match(/: OK$/gm)).toHaveLength(5);
  });

  it('puts one 0755 executable at each zip root: a single executable for linux_amd64, a launcher and the bundle elsewhere', async () => {
    const single = await readZip(join(releaseA, zipName('linux_amd64')));
    expect(single.map(({ name, mode }) => [name, mode.toString(8)])).toEqual([[`terraform-provider-managed_v${VERSION}`, '755']]);
    expect(single[0]!.data.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    for (const platform of ['linux_arm64', 'darwin_amd64', 'darwin_arm64']) {
      const entries = await readZip(join(releaseA, zipName(platform)));
      expect(entries.map(({ name, mode }) => [name, mode.toString(8)])).toEqual([
        ['provider-bundle.js', '644'],
        [`terraform-provider-managed_v${VERSION}`, '755'],
      ]);
      expect(entries[1]!.data.toString('utf8')).toMatch(/^#!\/bin\/sh\n[\s\S]*exec node "\$\(dirname "\$0"\)\/provider-bundle\.js" "\$@"\n$/);
    }
  });

  it('is byte-identical when built from another checkout path, TZ and umask, and ships no build path', async () => {
    const files = filesUnder(releaseA);
    expect(filesUnder(releaseB)).toEqual(files);
    const different = files.filter((file) => !readFileSync(join(releaseA, file)).equals(readFileSync(join(releaseB, file))));
    expect(different).toEqual([]);

    // Every shipped byte: the files, each zip entry, each file inside each tarball.
    const contents: Array<[string, Buffer]> = [];
    for (const file of files) {
      if (file.endsWith('.zip')) for (const entry of await readZip(join(releaseA, file))) contents.push([`${file}!${entry.name}`, entry.data]);
      else if (file.endsWith('.tgz')) {
        const unpacked = join(runDir, 'unpacked', file);
        mkdirSync(unpacked, { recursive: true });
        execFileSync('tar', ['xzf', join(releaseA, file), '-C', unpacked]);
        for (const inner of filesUnder(unpacked)) contents.push([`${file}!${inner}`, readFileSync(join(unpacked, inner))]);
      } else contents.push([file, readFileSync(join(releaseA, file))]);
    }
    // As directories (trailing "/"): node's ICU data names files like "brkitr/root.res", which a bare "/root" would match.
    const needles = [REPOSITORY_ROOT, checkoutA, checkoutB, runDir, homedir()].filter((needle) => needle.length > 1).map((needle) => `${needle}/`);
    const leaks = contents.flatMap(([name, data]) => needles.filter((needle) => data.includes(needle)).map((needle) => `${name} contains ${needle}`));
    expect(leaks).toEqual([]);
  });
});

async function writeTerraformProject(dir: string, mirror: string, mainTf: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf'), mainTf);
  const cliConfig = join(dir, '.terraformrc');
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["${PROVIDER_ADDRESS}"]\n  }\n  direct {\n    exclude = ["${PROVIDER_ADDRESS}"]\n  }\n}\n`,
  );
  return cliConfig;
}

const HCL = `terraform {
  required_providers {
    managed = {
      source  = "managed-dev/managed"
      version = "${VERSION}"
    }
  }
}

provider "managed" {}

resource "managed_api_key" "release_check" {
  name   = "release-check"
  scopes = ["sites:read", "metrics:read"]
  ttl    = "7d"
}
`;

describe('HCL through the filesystem mirror with no node on PATH', () => {
  const projectDir = join(runDir, 'hcl');
  const binDir = join(runDir, 'only-terraform');
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    mkdirSync(binDir, { recursive: true });
    symlinkSync(terraformBinary, join(binDir, 'terraform'));
    const cliConfig = await writeTerraformProject(projectDir, join(releaseA, 'mirror'), HCL);
    env = {
      PATH: binDir,
      HOME: projectDir,
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      MANAGED_ENDPOINT: controlPlane.url,
      MANAGED_TOKEN: controlPlane.ownerKey,
    };
  });

  const terraform = (args: string[], expectExitCodes = [0], cwd = projectDir, environment = env) =>
    runCommand('terraform', args, { cwd, env: environment, expectExitCodes });

  it('inits, applies, plans clean and destroys through the linux_amd64 single executable', async () => {
    expect(readdirSync(binDir)).toEqual(['terraform']);
    await timed('HCL init/apply/plan/destroy', async () => {
      await terraform(['init', '-no-color']);
      const installed = join(projectDir, '.terraform', 'providers', PROVIDER_ADDRESS, VERSION, 'linux_amd64');
      expect(readdirSync(installed)).toEqual([`terraform-provider-managed_v${VERSION}`]);
      await terraform(['apply', '-auto-approve', '-no-color']);
      await terraform(['plan', '-detailed-exitcode', '-no-color'], [0]);
      const keys = await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/keys?name=release-check');
      expect(keys.body.items.map((key: { status: string }) => key.status)).toEqual(['active']);
      await terraform(['destroy', '-auto-approve', '-no-color']);
      const after = await apiClient(controlPlane.url, controlPlane.ownerKey).get(`/v1/keys/${keys.body.items[0].id}`);
      expect(after.body.status).toBe('revoked');
    });
  });

  it('locks two platforms from the mirror, and another copy of the mirror accepts that lock file', async () => {
    await timed('providers lock + second init', async () => {
      rmSync(join(projectDir, '.terraform.lock.hcl'));
      await terraform(['providers', 'lock', `-fs-mirror=${join(releaseA, 'mirror')}`, '-platform=linux_amd64', '-platform=darwin_arm64']);
      const lock = readFileSync(join(projectDir, '.terraform.lock.hcl'), 'utf8');
      const hashes = [...lock.matchAll(/"(h1:[^"]+|zh:[^"]+)"/g)].map((match) => match[1]).sort();
      const expected = [
        packageHash1(await readZip(join(releaseA, zipName('linux_amd64')))),
        packageHash1(await readZip(join(releaseA, zipName('darwin_arm64')))),
      ].sort();
      expect(hashes).toEqual(expected);

      // Another machine: release B's mirror (built elsewhere), copied again, and a fresh project with the lock.
      const otherMirror = join(runDir, 'mirror-copy');
      cpSync(join(releaseB, 'mirror'), otherMirror, { recursive: true });
      const otherProject = join(runDir, 'hcl-other');
      const cliConfig = await writeTerraformProject(otherProject, otherMirror, HCL);
      writeFileSync(join(otherProject, '.terraform.lock.hcl'), lock);
      await terraform(['init', '-no-color', '-lockfile=readonly'], [0], otherProject, { ...env, HOME: otherProject, TF_CLI_CONFIG_FILE: cliConfig });
      expect(readFileSync(join(otherProject, '.terraform.lock.hcl'), 'utf8')).toBe(lock);
    });
  });
});

const STACK_MAIN = (runtime: 'cdktf' | 'cdktn') => `import { Construct } from 'constructs';
import { App, TerraformStack } from '${runtime}';
import { ApiKey, ManagedProvider, Ttl } from '@managed-dev/${runtime}';

class KeysStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ManagedProvider(this, 'managed');
    new ApiKey(this, 'deployer', {
      name: '${runtime}-deployer',
      preset: 'deploy-bot',
      scopes: ['metrics:read'],
      ttl: Ttl.days(30),
    });
  }
}

const app = new App();
new KeysStack(app, 'keys');
app.synth();
`;

async function installProject(dir: string, packages: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'platform-keys', version: '1.0.0', private: true, main: 'main.js', types: 'main.ts', license: 'MPL-2.0' }, null, 2)}\n`,
  );
  await runCommand('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages], { cwd: dir, env: userEnvironment(), timeoutMs: 600_000 });
}

describe('a CDKTF project outside the repository (cdktf-cli 0.21)', () => {
  const projectDir = join(runDir, 'cdktf-project');
  let env: NodeJS.ProcessEnv;
  const cdktf = (args: string[]) => runCommand(join(projectDir, 'node_modules', '.bin', 'cdktf'), args, { cwd: projectDir, env, timeoutMs: 600_000 });

  beforeAll(async () => {
    await timed('cdktf project npm install', () =>
      installProject(projectDir, [
        join(releaseA, 'npm', `managed-dev-contract-${VERSION}.tgz`),
        join(releaseA, 'npm', `managed-dev-cdktf-${VERSION}.tgz`),
        'cdktf@0.21.0',
        'constructs@10',
        'cdktf-cli@0.21.0',
        'ts-node@10.9.2',
        'typescript@5.9.3',
        '@types/node@20',
      ]),
    );
    // The stock template's files, as `cdktf init --template=typescript` writes them.
    cpSync(join(projectDir, 'node_modules', 'cdktf-cli', 'bundle', 'templates', 'typescript', 'tsconfig.json'), join(projectDir, 'tsconfig.json'));
    writeFileSync(
      join(projectDir, 'cdktf.json'),
      `${JSON.stringify({ language: 'typescript', app: 'npx ts-node main.ts', projectId: 'a6d0c1b4-7f3e-4a53-9d1c-0f5e2b8c9a10', sendCrashReports: 'false', terraformProviders: [], terraformModules: [], context: {} }, null, 2)}\n`,
    );
    writeFileSync(join(projectDir, 'main.ts'), STACK_MAIN('cdktf'));
    const cliConfig = await writeTerraformProject(join(runDir, 'cdktf-cli-config'), join(releaseA, 'mirror'), '');
    env = userEnvironment({ TF_CLI_CONFIG_FILE: cliConfig, MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey, CI: '1' });
  }, 900_000);

  it('uses the stock template tsconfig, which has no esModuleInterop', () => {
    const tsconfig = JSON.parse(readFileSync(join(projectDir, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions.esModuleInterop).toBeUndefined();
    expect(existsSync(join(projectDir, 'node_modules', '@managed-dev', 'cdktf', 'node_modules', 'cdktf'))).toBe(false);
  });

  it('synth, deploy, diff after a scope change through the API, destroy', async () => {
    const client = apiClient(controlPlane.url, controlPlane.ownerKey);
    await timed('cdktf synth', () => cdktf(['synth']));
    const stackDir = join(projectDir, 'cdktf.out', 'stacks', 'keys');
    expect(JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')).resource.managed_api_key.deployer.preset).toBe('deploy-bot');
    // Offline provider locking as the README says: lock from the mirror into the stack directory.
    await runCommand('terraform', ['providers', 'lock', `-fs-mirror=${join(releaseA, 'mirror')}`, '-platform=linux_amd64'], { cwd: stackDir, env });

    await timed('cdktf deploy', () => cdktf(['deploy', 'keys', '--auto-approve']));
    const listed = await client.get('/v1/keys?name=cdktf-deployer');
    expect(listed.body.items).toHaveLength(1);
    const key = listed.body.items[0] as { id: string; scopes: string[]; status: string };
    expect(key.status).toBe('active');

    const changed = await client.patch(`/v1/keys/${key.id}`, { json: { scopes: ['metrics:read', 'logs:read'] } });
    expect(changed.status).toBe(200);
    const diff = stripVTControlCharacters((await timed('cdktf diff', () => cdktf(['diff', 'keys']))).stdout);
    expect(diff).toMatch(/# managed_api_key\.deployer \(deployer\/resource\) will be updated in-place/);
    expect(diff).toMatch(/~ scopes\s+= \[\s+- "logs:read"/);
    expect(diff).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);

    await timed('cdktf destroy', () => cdktf(['destroy', 'keys', '--auto-approve']));
    expect((await client.get(`/v1/keys/${key.id}`)).body.status).toBe('revoked');
  });
});

describe('a cdktn project outside the repository (cdktn 0.24 library on Node 20, terraform deploys)', () => {
  const projectDir = join(runDir, 'cdktn-project');

  beforeAll(async () => {
    await timed('cdktn project npm install', () =>
      installProject(projectDir, [
        join(releaseA, 'npm', `managed-dev-contract-${VERSION}.tgz`),
        join(releaseA, 'npm', `managed-dev-cdktn-${VERSION}.tgz`),
        'cdktn@0.24.0',
        'constructs@10.7.0',
        'ts-node@10.9.2',
        'typescript@5.9.3',
        '@types/node@20',
      ]),
    );
    cpSync(join(runDir, 'cdktf-project', 'tsconfig.json'), join(projectDir, 'tsconfig.json'));
    writeFileSync(join(projectDir, 'main.ts'), STACK_MAIN('cdktn'));
  }, 900_000);

  it('synthesizes with the cdktn library and deploys the synthesized stack with terraform', async () => {
    const client = apiClient(controlPlane.url, controlPlane.ownerKey);
    const cliConfig = await writeTerraformProject(join(runDir, 'cdktn-cli-config'), join(releaseA, 'mirror'), '');
    const env = userEnvironment({
      TF_CLI_CONFIG_FILE: cliConfig,
      MANAGED_ENDPOINT: controlPlane.url,
      MANAGED_TOKEN: controlPlane.ownerKey,
      TF_IN_AUTOMATION: '1',
    });
    await timed('cdktn synth (ts-node main.ts)', () => runCommand(join(projectDir, 'node_modules', '.bin', 'ts-node'), ['main.ts'], { cwd: projectDir, env }));
    const stackDir = join(projectDir, 'cdktf.out', 'stacks', 'keys');
    const synthesized = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(synthesized.terraform.required_providers.managed.source).toBe(PROVIDER_ADDRESS);
    expect(synthesized.output.deployer_secret.sensitive).toBe(true);

    await timed('cdktn stack terraform init/apply/plan/destroy', async () => {
      await runCommand('terraform', ['init', '-no-color'], { cwd: stackDir, env });
      await runCommand('terraform', ['apply', '-auto-approve', '-no-color'], { cwd: stackDir, env });
      const listed = await client.get('/v1/keys?name=cdktn-deployer');
      expect(listed.body.items.map((key: { status: string }) => key.status)).toEqual(['active']);
      await runCommand('terraform', ['plan', '-detailed-exitcode', '-no-color'], { cwd: stackDir, env, expectExitCodes: [0] });
      await runCommand('terraform', ['destroy', '-auto-approve', '-no-color'], { cwd: stackDir, env });
      expect((await client.get(`/v1/keys/${listed.body.items[0].id}`)).body.status).toBe('revoked');
    });
  });
});
