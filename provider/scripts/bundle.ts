import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { codeCacheLoaderSource } from './code-cache-loader';
import { DEFER_EXTRA_CA_CERTS_SHELL_LINES } from '../src/framework/plugin/extra-ca-certificates';

/**
 * Bundles a provider entry point into one minified CommonJS file: one file to read and no module
 * resolution at start-up, which is most of a Node provider's launch time (Terraform launches it
 * 3+ times per command). The generated protocol code is imported, so it is inside the bundle.
 */
export async function bundleProvider(entry: string, outfile: string, options: { codeCache?: boolean } = {}): Promise<void> {
  // With codeCache, `outfile` becomes a small loader that runs the bundle (written beside it as
  // <name>.core.js) from a V8 code cache: see code-cache-loader.ts for why.
  const bundleFile = options.codeCache ? join(dirname(outfile), basename(outfile, '.js') + '.core.js') : outfile;
  writeAtomically(bundleFile, await bundleProviderCode(entry));
  if (options.codeCache) {
    // V8 would reject the old cache anyway; removing it saves the first launch a wasted read.
    rmSync(`${bundleFile}.v8-cache`, { force: true });
    writeAtomically(outfile, codeCacheLoaderSource(basename(bundleFile)));
  }
}

/**
 * The bundle's bytes, not written anywhere. Minified and without source maps or legal comments,
 * it holds no path of the machine that built it, so a release built from any checkout is the same.
 * It is CommonJS that requires only Node built-ins, which is what a single executable needs.
 */
export async function bundleProviderCode(entry: string): Promise<Uint8Array> {
  if (!existsSync(entry)) throw new Error(`provider entry point ${entry} does not exist`);
  const result = await build({
    entryPoints: [entry],
    outfile: 'terraform-provider-managed.js',
    absWorkingDir: dirname(entry),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.contents;
}

/**
 * Temp file + rename, so a Terraform run launching the provider while a rebuild happens reads
 * either the old bundle or the new one, never half a file.
 */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/**
 * A POSIX shell launcher that `exec`s node on the bundle. exec matters: Terraform SIGKILLs the
 * process it started, and a shell that merely waited would leave node orphaned holding the
 * pipes, which hangs Terraform forever.
 */
export function launcherScript(bundlePath: string): string {
  const quoted = `'${bundlePath.replace(/'/g, `'\\''`)}'`;
  return ['#!/bin/sh', ...DEFER_EXTRA_CA_CERTS_SHELL_LINES, `exec node ${quoted} "$@"`, ''].join('\n');
}

export function writeLauncher(file: string, bundlePath: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, launcherScript(bundlePath));
  chmodSync(file, 0o755);
}
