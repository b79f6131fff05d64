// ESLint (typescript-eslint recommended) over the whole tree: 0 errors, and no rule switched off
// inline. Prettier's check runs in `npm run lint` (CI); formatting is not a test failure here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../scripts/lib/run-command';
import { REPOSITORY_ROOT } from './support/terraform';

describe('lint', () => {
  test('ESLint and Prettier are configured', () => {
    for (const file of ['eslint.config.mjs', '.prettierrc.json', '.prettierignore']) expect(existsSync(join(REPOSITORY_ROOT, file))).toBe(true);
  });

  test('ESLint reports no problem anywhere in the tree', async () => {
    const eslint = join(REPOSITORY_ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
    const result = await runCommand(process.execPath, [eslint, '--max-warnings', '0', '.'], {
      cwd: REPOSITORY_ROOT,
      expectExitCodes: [0, 1],
      timeoutMs: 180_000,
    });
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  }, 200_000);

  test('no source file switches a lint rule off inline', () => {
    const result = spawnSync('git', ['grep', '-n', '-e', 'eslint-disable', '--', '*.ts', '*.mjs', '*.js'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
    // Generated files (protobufjs output) are not ours to edit; ESLint ignores them.
    expect(result.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('test/lint.test.ts') && !line.includes('/generated/'))).toEqual([]);
  });
});
