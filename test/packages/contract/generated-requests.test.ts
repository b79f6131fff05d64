import fs from 'node:fs';
import path from 'node:path';
import { runCommand } from '../../../scripts/lib/run-command';
import type { CreateKeyBody, KeyCreate, KeyUpdate } from '@managed-dev/contract';

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

describe('packages/contract/src/generated/requests.ts', () => {
  it('is what `npm run generate:contract` writes from schema/*.schema.json (run it when this fails)', async () => {
    const result = await runCommand(process.execPath, ['--import', 'tsx', 'packages/contract/scripts/generate-requests.ts', '--check'], {
      cwd: REPOSITORY_ROOT,
      expectExitCodes: [0, 1],
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it('has one type per request-body schema, named by its title', () => {
    const text = fs.readFileSync(path.join(REPOSITORY_ROOT, 'packages', 'contract', 'src', 'generated', 'requests.ts'), 'utf8');
    for (const file of fs.readdirSync(path.join(REPOSITORY_ROOT, 'schema')).filter((name) => name.endsWith('.schema.json'))) {
      const { title } = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'schema', file), 'utf8')) as { title: string };
      expect(text).toContain(`export interface ${title} {`);
    }
  });

  it('types what the schemas say: ttl and constraint cannot be sent to PATCH; the wire type is the generated one', () => {
    const update: KeyUpdate = { name: 'renamed', scopes: ['sites:read'] };
    // @ts-expect-error ttl is `false` in key-update.schema.json: it never changes
    const withTtl: KeyUpdate = { ttl: '1h' };
    const create: CreateKeyBody = { name: 'n', constraint: { team_id: 'team_1' } } satisfies KeyCreate;
    expect([update, withTtl, create]).toHaveLength(3);
  });
});
