/**
 * Reads every entry of a zip archive (with yauzl) for tests that check what a release ships:
 * names, Unix modes, contents, and Terraform's `h1:` package hash.
 */
import { createHash } from 'node:crypto';
import * as yauzl from 'yauzl';

export interface ZipEntryContent {
  readonly name: string;
  /** Unix permission bits from the entry's external attributes. */
  readonly mode: number;
  readonly data: Buffer;
}

export function readZip(file: string): Promise<ZipEntryContent[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error(`cannot open ${file}`));
      const entries: ZipEntryContent[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName} in ${file}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({ name: entry.fileName, mode: (entry.externalFileAttributes >>> 16) & 0o7777, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Terraform's `h1:` hash of a provider package (Go's dirhash Hash1): one line
 * `<hex sha256 of the file>  <path>\n` per file, sorted by path, hashed again with SHA-256, base64.
 */
export function packageHash1(entries: readonly ZipEntryContent[]): string {
  const lines = entries
    .map((entry) => ({ name: entry.name, hex: createHash('sha256').update(entry.data).digest('hex') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, hex }) => `${hex}  ${name}\n`)
    .join('');
  return `h1:${createHash('sha256').update(lines).digest('base64')}`;
}
