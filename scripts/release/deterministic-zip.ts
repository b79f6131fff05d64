/**
 * Zip archives whose bytes depend only on their entries: names sorted, one fixed date, explicit
 * Unix modes (never the umask of the machine that built them), no extra timestamp fields.
 * Terraform keeps a zip entry's mode bits when it installs a provider, so the executable must be
 * 0755 inside the archive, not merely on disk.
 */
import { createWriteStream } from 'node:fs';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated. */
  readonly name: string;
  readonly data: Uint8Array;
  /** Permission bits, e.g. 0o755 for an executable, 0o644 otherwise. */
  readonly mode: number;
}

/**
 * The DOS date fields of a zip entry are local wall-clock fields, and yazl fills them from the
 * Date's local getters; building the Date from the UTC fields of `epochSeconds` makes the stored
 * fields the UTC time whatever TZ says. DOS dates start in 1980, so earlier dates clamp to it.
 */
function dosDate(epochSeconds: number): Date {
  const utc = new Date(Math.max(epochSeconds * 1000, Date.UTC(1980, 0, 1)));
  return new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds());
}

export async function writeDeterministicZip(file: string, entries: readonly ZipEntry[], epochSeconds: number): Promise<void> {
  const names = entries.map((entry) => entry.name);
  if (new Set(names).size !== names.length) throw new Error(`${file}: duplicate entry names in ${names.join(', ')}`);
  const mtime = dosDate(epochSeconds);
  const zip = new ZipFile();
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if ((entry.mode & ~0o777) !== 0) throw new Error(`${entry.name}: mode ${entry.mode.toString(8)} is not permission bits`);
    zip.addBuffer(Buffer.from(entry.data), entry.name, { mtime, mode: 0o100000 | entry.mode, compress: true, forceDosTimestamp: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const output = createWriteStream(file, { mode: 0o644 });
    output.on('error', reject);
    output.on('close', () => resolve());
    zip.outputStream.on('error', reject).pipe(output);
  });
}
