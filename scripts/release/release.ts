/**
 * npm run --silent release -- <dir>
 *
 * Writes a release into <dir> (which must be empty or not exist):
 *   terraform-provider-managed_<version>_<os>_<arch>.zip   linux_amd64 (single executable), linux_arm64,
 *                                                         darwin_amd64, darwin_arm64 (launcher + bundle, Node >= 20)
 *   terraform-provider-managed_<version>_manifest.json
 *   terraform-provider-managed_<version>_SHA256SUMS
 *   mirror/registry.terraform.io/managed-dev/managed/*.zip  a packed filesystem mirror of the zips
 *   npm/*.tgz                                             @managed-dev/contract, @managed-dev/cdktf, @managed-dev/cdktn
 *
 * Deterministic: the same commit gives the same bytes whatever the checkout path, clock, TZ or
 * umask (fixed zip dates from SOURCE_DATE_EPOCH or the commit time, explicit modes, sorted
 * entries, no absolute paths). Needs `npm ci` (or npm install) only: it builds what it ships.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleProviderCode } from '../../provider/scripts/bundle';
import { PROVIDER_ADDRESS } from '../../provider/src/managed/address';
import { checksumsFileName, manifestFileName, manifestJson, sha256Sums } from './checksums';
import { writeDeterministicZip } from './deterministic-zip';
import { packNpmPackages } from './npm-packages';
import { packageEntries, packageFileName, PLATFORMS } from './provider-packages';
import { runCommand } from '../lib/run-command';
import { buildSingleExecutable } from './single-executable';
import { sourceDateEpoch } from './source-date';

const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

export interface ReleaseSummary {
  readonly version: string;
  readonly files: readonly string[];
}

export async function writeRelease(target: string, log: (line: string) => void = () => undefined): Promise<ReleaseSummary> {
  const outDir = resolve(target);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty; give a new or empty directory`);
  const { version } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string };
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`package.json version must be x.y.z for a provider release, got "${version}"`);
  const [, , type] = PROVIDER_ADDRESS.split('/') as [string, string, string];
  const epochSeconds = sourceDateEpoch(REPOSITORY_ROOT);
  mkdirSync(outDir, { recursive: true });
  // The bindings packages compile against @managed-dev/contract's declarations (packages/contract/dist).
  log('building @managed-dev/contract');
  await runCommand('npm', ['run', '--silent', 'build:contract'], { cwd: REPOSITORY_ROOT, env: { ...process.env, npm_config_update_notifier: 'false' } });

  log('bundling the provider');
  const bundle = await bundleProviderCode(join(REPOSITORY_ROOT, 'provider', 'src', 'main.ts'));
  log(`building the single executable from ${process.execPath}`);
  const singleExecutable = await buildSingleExecutable(bundle, {
    nodeBinary: process.execPath,
    postjectCli: require.resolve('postject/dist/cli.js', { paths: [REPOSITORY_ROOT] }),
  });

  const releaseFiles = new Map<string, Uint8Array>();
  for (const platform of PLATFORMS) {
    const name = packageFileName(type, version, platform);
    log(`writing ${name}`);
    await writeDeterministicZip(join(outDir, name), packageEntries(type, version, platform, { bundle, singleExecutable }), epochSeconds);
    releaseFiles.set(name, readFileSync(join(outDir, name)));
  }
  const manifestName = manifestFileName(type, version);
  releaseFiles.set(manifestName, Buffer.from(manifestJson()));
  writeFileSync(join(outDir, manifestName), manifestJson(), { mode: 0o644 });
  writeFileSync(join(outDir, checksumsFileName(type, version)), sha256Sums(releaseFiles), { mode: 0o644 });

  // Packed mirror layout: <mirror>/<host>/<namespace>/<type>/<the zips as released>.
  const mirrorDir = join(outDir, 'mirror', ...PROVIDER_ADDRESS.split('/'));
  mkdirSync(mirrorDir, { recursive: true });
  for (const platform of PLATFORMS)
    copyFileSync(join(outDir, packageFileName(type, version, platform)), join(mirrorDir, packageFileName(type, version, platform)));

  log('packing the npm packages');
  const tarballs = await packNpmPackages(REPOSITORY_ROOT, join(outDir, 'npm'));
  return { version, files: [...releaseFiles.keys(), checksumsFileName(type, version), ...tarballs.map((name) => `npm/${name}`)].sort() };
}

if (require.main === module) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: npm run --silent release -- <empty output directory>\n');
    process.exit(2);
  }
  writeRelease(target, (line) => process.stderr.write(`release: ${line}\n`)).then(
    (summary) => process.stderr.write(`release ${summary.version} written to ${resolve(target)}:\n${summary.files.map((file) => `  ${file}\n`).join('')}`),
    (error: unknown) => {
      process.stderr.write(`release failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
