/**
 * Synthesizes an example app the way its README says (`tsx main.ts`, which calls app.synth()),
 * into `<workDir>/cdktf.out`, and returns the stack directory terraform runs in.
 */
import * as path from 'node:path';
import { runCommand } from '../../scripts/lib/run-command';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export async function synthesizeExample(example: string, stackName: string, workDir: string): Promise<string> {
  const outdir = path.join(workDir, 'cdktf.out');
  await runCommand(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'examples', example, 'main.ts')], {
    // The default local backend puts the state file in the working directory: keep it in workDir.
    cwd: workDir,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
  return path.join(outdir, 'stacks', stackName);
}
