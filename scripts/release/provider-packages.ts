/**
 * The provider's release packages, following Terraform's provider package convention: one zip
 * per platform named terraform-provider-<type>_<version>_<os>_<arch>.zip with the executable
 * (a name starting with terraform-provider-<type>) at its root, mode 0755.
 *
 * linux_amd64 is a single executable (Node SEA, see single-executable.ts) and needs no node.
 * The other platforms cannot be built from a Linux node binary, so they carry a POSIX shell
 * launcher plus the same bundle and need Node.js >= 20 on PATH. The bundle's name must not start
 * with terraform-provider-managed: Terraform runs the first file with that prefix it finds.
 */
import type { ZipEntry } from './deterministic-zip';
import { DEFER_EXTRA_CA_CERTS_SHELL_LINES } from '../../provider/src/framework/plugin/extra-ca-certificates';

export type Platform = 'linux_amd64' | 'linux_arm64' | 'darwin_amd64' | 'darwin_arm64';
export const PLATFORMS: readonly Platform[] = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64'];
/** The platform whose package is a single executable built from the running node. */
export const SINGLE_EXECUTABLE_PLATFORM: Platform = 'linux_amd64';
export const LAUNCHED_BUNDLE_NAME = 'provider-bundle.js';

export function packageFileName(type: string, version: string, platform: Platform): string {
  return `terraform-provider-${type}_${version}_${platform}.zip`;
}

/** The executable's name inside the package, as HashiCorp's own providers spell it. */
export function executableName(type: string, version: string): string {
  return `terraform-provider-${type}_v${version}`;
}

/**
 * Runs the bundle beside it with node from PATH, by a path relative to itself (never an absolute
 * one, so the package's hash does not depend on where it was built or installed). `exec` matters:
 * Terraform SIGKILLs the process it started, and a waiting shell would leave node orphaned.
 */
export function launcherScript(type: string, version: string): string {
  return [
    '#!/bin/sh',
    `# terraform-provider-${type} ${version}: runs ${LAUNCHED_BUNDLE_NAME} (beside this file) with Node.js >= 20 from PATH.`,
    'if ! command -v node >/dev/null 2>&1; then',
    `  echo "terraform-provider-${type}: this package needs Node.js >= 20 on PATH (only the linux_amd64 package is self-contained)" >&2`,
    '  exit 1',
    'fi',
    ...DEFER_EXTRA_CA_CERTS_SHELL_LINES,
    `exec node "$(dirname "$0")/${LAUNCHED_BUNDLE_NAME}" "$@"`,
    '',
  ].join('\n');
}

export function packageEntries(type: string, version: string, platform: Platform, contents: { bundle: Uint8Array; singleExecutable: Uint8Array }): ZipEntry[] {
  if (platform === SINGLE_EXECUTABLE_PLATFORM) {
    return [{ name: executableName(type, version), data: contents.singleExecutable, mode: 0o755 }];
  }
  return [
    { name: executableName(type, version), data: Buffer.from(launcherScript(type, version)), mode: 0o755 },
    { name: LAUNCHED_BUNDLE_NAME, data: contents.bundle, mode: 0o644 },
  ];
}
