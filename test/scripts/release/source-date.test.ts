import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sourceDateEpoch } from '../../../scripts/release/source-date';

const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..');

it('takes SOURCE_DATE_EPOCH when set, else the commit time', () => {
  expect(sourceDateEpoch(REPOSITORY_ROOT, { SOURCE_DATE_EPOCH: '1700000000' })).toBe(1700000000);
  const committed = Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' }).trim());
  expect(sourceDateEpoch(REPOSITORY_ROOT, {})).toBe(committed);
});

it('says what to do when neither is usable', () => {
  expect(() => sourceDateEpoch(REPOSITORY_ROOT, { SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
    'SOURCE_DATE_EPOCH must be whole seconds since 1970, got "yesterday"',
  );
  const notARepository = mkdtempSync(join(tmpdir(), 'managed-no-git-'));
  try {
    expect(() => sourceDateEpoch(notARepository, { GIT_CEILING_DIRECTORIES: tmpdir() } as NodeJS.ProcessEnv)).toThrow('set SOURCE_DATE_EPOCH instead');
  } finally {
    rmSync(notARepository, { recursive: true, force: true });
  }
});
