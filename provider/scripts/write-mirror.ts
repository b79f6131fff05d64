/**
 * npm run --silent provider:mirror -- <dir>
 *
 * Writes an unpacked filesystem mirror for registry.terraform.io/managed-dev/managed (or, from
 * code, any provider address):
 *   <dir>/registry.terraform.io/managed-dev/managed/<version>/<os>_<arch>/terraform-provider-managed_v<version>
 * The executable is a launcher that execs node on the built bundle by absolute path, so the
 * mirror directory stays small and `terraform init` with a filesystem_mirror block works offline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeLauncher } from './bundle';
import { providerBundlePath } from './build-provider';
import { PROVIDER_ADDRESS } from '../src/managed/address';

export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const cpu = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' }[arch] ?? arch;
  return `${os}_${cpu}`;
}

export interface MirrorOptions {
  version: string;
  /** The provider bundle the launcher execs; defaults to the managed provider's build output. */
  bundlePath?: string;
  /** host/namespace/type; defaults to the managed provider's address. */
  address?: string;
}

/**
 * A Terraform CLI configuration that installs `address` from the mirror at `mirrorRoot` (so
 * `terraform init` works offline) and every other provider from its registry as usual.
 */
export function mirrorCliConfiguration(mirrorRoot: string, address: string = PROVIDER_ADDRESS): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(resolve(mirrorRoot))}`,
    `    include = [${JSON.stringify(address)}]`,
    '  }',
    '  direct {',
    `    exclude = [${JSON.stringify(address)}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Writes the unpacked mirror layout and returns the launcher's path. */
export function writeMirror(mirrorRoot: string, options: MirrorOptions): string {
  const bundlePath = options.bundlePath ?? providerBundlePath;
  if (!existsSync(bundlePath)) throw new Error(`${bundlePath} does not exist: run npm run build (or npm run build:provider) first`);
  const [host, namespace, type, ...rest] = (options.address ?? PROVIDER_ADDRESS).split('/');
  if (!host || !namespace || !type || rest.length > 0) throw new Error(`provider address must be host/namespace/type, got ${options.address}`);
  if (!/^\d+\.\d+\.\d+/.test(options.version)) throw new Error(`provider version must be semantic (x.y.z), got ${options.version}`);
  const executable = join(resolve(mirrorRoot), host, namespace, type, options.version, terraformPlatform(), `terraform-provider-${type}_v${options.version}`);
  writeLauncher(executable, resolve(bundlePath));
  return executable;
}

if (require.main === module) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: npm run --silent provider:mirror -- <mirror directory>\n');
    process.exit(2);
  }
  try {
    const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    const executable = writeMirror(target, { version: packageJson.version });
    process.stderr.write(`wrote ${executable}\n`);
  } catch (error) {
    process.stderr.write(`provider:mirror failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
