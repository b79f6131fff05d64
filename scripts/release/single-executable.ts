/**
 * A Node.js single executable application (SEA) of the provider bundle: a copy of the running
 * node binary with the bundle injected, so the linux_amd64 package runs with no node on PATH.
 *
 * Node 20's recipe (doc/api/single-executable-applications.md): write a preparation blob with
 * `node --experimental-sea-config`, copy the node binary, strip it (99 MB → 87 MB; the symbols are
 * not needed to run), inject the blob with postject under the documented sentinel fuse. No code
 * cache or snapshot: they did not start faster here, and without them the blob is plain source,
 * byte-stable from one build to the next. Output is deterministic for one node binary: the same
 * bundle, the same node and the same strip give the same bytes (the release test checks it).
 */
import { copyFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../lib/run-command';

const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface SingleExecutableOptions {
  /** The node binary to embed; must be the version that writes the blob (the running one). */
  readonly nodeBinary: string;
  /** postject's command-line entry (from node_modules). */
  readonly postjectCli: string;
}

export async function buildSingleExecutable(bundle: Uint8Array, options: SingleExecutableOptions): Promise<Buffer> {
  const workDir = mkdtempSync(join(tmpdir(), 'managed-sea-'));
  try {
    writeFileSync(join(workDir, 'provider.js'), bundle);
    writeFileSync(
      join(workDir, 'sea-config.json'),
      JSON.stringify({ main: 'provider.js', output: 'provider.blob', disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }),
    );
    const env = { ...process.env, NODE_OPTIONS: '' };
    await runCommand(options.nodeBinary, ['--experimental-sea-config', 'sea-config.json'], { cwd: workDir, env });
    const executable = join(workDir, 'provider');
    copyFileSync(options.nodeBinary, executable);
    chmodSync(executable, 0o755);
    await runCommand('strip', [executable], { cwd: workDir, env }).catch((error: Error) => {
      throw new Error(`strip (binutils) is needed to shrink the single executable: ${error.message.split('\n')[0]}`);
    });
    await runCommand(options.nodeBinary, [options.postjectCli, executable, 'NODE_SEA_BLOB', 'provider.blob', '--sentinel-fuse', SEA_FUSE], {
      cwd: workDir,
      env,
    });
    return readFileSync(executable);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
