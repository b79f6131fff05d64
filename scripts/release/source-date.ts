/**
 * The one date every release file carries (zip entry times), so a rebuild of the same commit is
 * byte-identical whatever the clock says: SOURCE_DATE_EPOCH when set (the reproducible-builds
 * convention), otherwise the time of the commit being built.
 */
import { execFileSync } from 'node:child_process';

export function sourceDateEpoch(repositoryRoot: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnvironment = env.SOURCE_DATE_EPOCH;
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    if (!/^\d+$/.test(fromEnvironment)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${fromEnvironment}"`);
    return Number(fromEnvironment);
  }
  let output: string;
  try {
    output = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repositoryRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`cannot read the commit time with git in ${repositoryRoot} (${(error as Error).message.split('\n')[0]}); set SOURCE_DATE_EPOCH instead`);
  }
  const seconds = Number(output.trim());
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new Error(`git gave no commit time in ${repositoryRoot}; set SOURCE_DATE_EPOCH instead`);
  return seconds;
}
