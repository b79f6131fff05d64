// The cdktn package compiles the hand-written construct from a copy whose cdktf imports are
// rewritten to cdktn; nothing may still load cdktf (it would be a second, clashing runtime).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { stageBindingsSources } from '../../../scripts/release/npm-packages';

const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..');
const stage = mkdtempSync(join(tmpdir(), 'managed-stage-'));
afterAll(() => rmSync(stage, { recursive: true, force: true }));

it('stages the cdktn sources with every cdktf import rewritten', () => {
  const files = stageBindingsSources(REPOSITORY_ROOT, 'cdktn', stage).map((file) => relative(stage, file));
  expect(files).toEqual(expect.arrayContaining(['api-key.ts', 'index.ts', 'generated/scopes.ts', 'generated/cdktn/providers/managed/api-key/index.ts']));
  expect(files.some((file) => file.includes('generated/cdktf/'))).toBe(false);
  for (const file of files) expect(readFileSync(join(stage, file), 'utf8')).not.toMatch(/['"]cdktf['"]|generated\/cdktf\//);
  expect(readFileSync(join(stage, 'api-key.ts'), 'utf8')).toContain("from 'cdktn'");
});

it('stages the cdktf sources unchanged', () => {
  stageBindingsSources(REPOSITORY_ROOT, 'cdktf', stage);
  expect(readFileSync(join(stage, 'api-key.ts'), 'utf8')).toBe(readFileSync(join(REPOSITORY_ROOT, 'cdktf-bindings', 'api-key.ts'), 'utf8'));
});
