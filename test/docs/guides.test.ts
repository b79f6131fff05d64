// docs/guides/ restates facts the code holds (error catalog, route table, settings, scope
// catalog); those parts are generated, and this fails when someone changed the code but not them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ERROR_CODES } from '@managed-dev/contract';
import { SETTINGS } from '../../control-plane/src/config';
import { ROUTES } from '../../control-plane/src/http/route-table';
import { fillBlocks, renderedGuides } from '../../scripts/generate-guides';
import { REPOSITORY_ROOT } from '../support/terraform';

describe('docs/guides', () => {
  test.each(renderedGuides().map(({ path, text }) => [relative(REPOSITORY_ROOT, path), path, text]))(
    '%s is what `npm run generate:guides` writes (run it when this fails)',
    (_name, path, text) => {
      expect(readFileSync(path, 'utf8')).toBe(text);
    },
  );

  test('errors.md names every code of the catalog; api.md every route; configuration.md and the README every setting', () => {
    const read = (name: string) => readFileSync(`${REPOSITORY_ROOT}/${name}`, 'utf8');
    for (const code of ERROR_CODES) expect(read('docs/guides/errors.md')).toContain(`| \`${code}\` |`);
    for (const route of ROUTES) expect(read('docs/guides/api.md')).toContain(`\`${route.method.toUpperCase()} ${route.path}\``);
    for (const setting of SETTINGS) {
      expect(read('docs/guides/configuration.md')).toContain(`\`${setting.name}\``);
      expect(read('README.md')).toContain(`\`${setting.name}\``);
    }
  });

  test('an unknown generated block is an error, not silently kept', () => {
    expect(() => fillBlocks('<!-- generated:nonsense -->\n<!-- /generated:nonsense -->', 'x.md')).toThrow(/unknown generated block "nonsense"/);
  });

  test('no code comment cites a document that is not in the repository', () => {
    // The product contract lives in docs/guides/; the old section citations pointed at a file outside the repo.
    const citation = ['SPEC', '§'].join(' ');
    const result = spawnSync('git', ['grep', '-n', '-I', '-e', citation, '--', '*.ts'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1); // git grep: 1 = nothing found
  });
});
