/**
 * The files that accompany provider packages in a release (Terraform Registry convention):
 * terraform-provider-<type>_<version>_manifest.json and terraform-provider-<type>_<version>_SHA256SUMS,
 * which lists every zip and the manifest, sorted by name, in `sha256sum` format.
 */
import { createHash } from 'node:crypto';

export function manifestFileName(type: string, version: string): string {
  return `terraform-provider-${type}_${version}_manifest.json`;
}

export function checksumsFileName(type: string, version: string): string {
  return `terraform-provider-${type}_${version}_SHA256SUMS`;
}

/** The provider speaks plugin protocol 6 only. */
export function manifestJson(): string {
  return `${JSON.stringify({ version: 1, metadata: { protocol_versions: ['6.0'] } }, null, 2)}\n`;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Sums(files: ReadonlyMap<string, Uint8Array>): string {
  return [...files.keys()]
    .sort()
    .map((name) => `${sha256Hex(files.get(name)!)}  ${name}\n`)
    .join('');
}
