// The point of the `Scope` type is that a typo fails `tsc`; prove it with the real compiler.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../support/terraform';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const TSC = require.resolve('typescript/bin/tsc');

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-compile-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Type-checks `files` alone with the repository's compiler options. */
async function typeCheck(name: string, files: readonly string[]) {
  const tsconfig = path.join(workDir, `tsconfig.${name}.json`);
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(REPO_ROOT, 'tsconfig.json'),
      // Bare imports ('cdktf') and @types resolve from the repository even for a file in a temp dir.
      compilerOptions: {
        noEmit: true,
        rootDir: '/',
        baseUrl: REPO_ROOT,
        paths: { '*': ['node_modules/*'] },
        typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files,
      include: [],
    }),
  );
  // tsc exits 1 or 2 on type errors; each test asserts the code it expects.
  return runCommand(process.execPath, [TSC, '-p', tsconfig, '--pretty', 'false'], { cwd: REPO_ROOT, env: process.env, expectExitCodes: [0, 1, 2] });
}

describe('compile-time checks of the ApiKey props', () => {
  it('compiles a valid app', async () => {
    const result = await typeCheck('valid', [path.join(FIXTURES, 'valid-app.ts')]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('treats scopes: ["sites:wrte"] as a type error (its @ts-expect-error is used)', async () => {
    const result = await typeCheck('typo', [path.join(FIXTURES, 'scope-typo.ts')]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('treats a misspelt preset, two constraints and a missing name as type errors', async () => {
    const result = await typeCheck('others', [path.join(FIXTURES, 'other-type-errors.ts')]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('reports the misspelt scope by name, with the right one, once the directive is gone', async () => {
    const unmarked = path.join(workDir, 'scope-typo-unmarked.ts');
    const source = fs
      .readFileSync(path.join(FIXTURES, 'scope-typo.ts'), 'utf8')
      .replace(/^\s*\/\/ @ts-expect-error.*\n/m, '')
      .replace("'../../../cdktf-bindings'", JSON.stringify(path.join(REPO_ROOT, 'cdktf-bindings')));
    fs.writeFileSync(unmarked, source);
    const result = await typeCheck('unmarked', [unmarked]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toMatch(
      /scope-typo-unmarked\.ts\(\d+,\d+\): error TS\d+: Type '"sites:wrte"' is not assignable to type 'Scope'\. Did you mean '"sites:write"'\?/,
    );
  });
});
