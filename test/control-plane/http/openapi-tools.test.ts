// The published document, judged by tools nobody on the team wrote: fetched from a running
// server into an empty folder (so nothing beside it can resolve a reference), it must lint
// clean in Redocly CLI, and openapi-typescript must turn it into types from which a typed
// openapi-fetch client compiles under `tsc --strict` without a single cast, then runs against
// the server it was generated from.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../scripts/lib/run-command';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { REPOSITORY_ROOT } from '../../support/terraform';

const NODE_MODULES = join(REPOSITORY_ROOT, 'node_modules');
// No tool may reach past loopback from a test: no telemetry, no update check.
const TOOL_ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_UPDATE_NOTIFIER: '1' };

const TYPED_CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './api';

async function main(baseUrl: string, ownerKey: string): Promise<void> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${ownerKey}\` } });
  const seen: Record<string, unknown> = {};

  const whoami = await client.GET('/v1/whoami');
  if (!whoami.data) throw new Error(\`whoami failed: \${whoami.response.status}\`);
  const role: 'viewer' | 'member' | 'admin' | 'owner' = whoami.data.role;
  seen.whoami = { account_id: whoami.data.account_id, role };

  const names: string[] = [];
  for (const name of ['typed-a', 'typed-b', 'typed-c']) {
    const minted = await client.POST('/v1/keys', {
      params: { header: { 'Idempotency-Key': \`typed-client-\${name}\` } },
      body: { name, scopes: ['sites:read'], ttl: '1h', ip_allowlist: ['127.0.0.1/32'] },
    });
    if (!minted.data) throw new Error(\`mint failed: \${minted.error?.code}\`);
    const secret: string = minted.data.secret;
    if (!secret.startsWith('mdk_')) throw new Error('no secret');
    names.push(minted.data.name);
  }
  seen.minted = names;

  const listed: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.GET('/v1/keys', { params: { query: { limit: 2, ...(cursor ? { cursor } : {}) } } });
    if (!page.data) throw new Error(\`list failed: \${page.error?.code}\`);
    listed.push(...page.data.items.map((item) => item.name));
    cursor = page.data.next_cursor ?? undefined;
  } while (cursor);
  seen.listed = listed;

  const first = await client.GET('/v1/keys', { params: { query: { name: 'typed-a' } } });
  const id = first.data?.items[0]?.id;
  if (!id) throw new Error('typed-a not listed by name');
  const read = await client.GET('/v1/keys/{id}', { params: { path: { id } } });
  if (!read.data) throw new Error('get failed');
  seen.read = { id: read.data.id, status: read.data.status, scopes: read.data.scopes };

  const rotated = await client.POST('/v1/keys/{id}/rotate', { params: { path: { id } }, body: { grace_period: '0' } });
  if (!rotated.data) throw new Error(\`rotate failed: \${rotated.error?.code}\`);
  seen.rotated = rotated.data.secret.startsWith('mdk_');

  const revoked = await client.DELETE('/v1/keys/{id}', { params: { path: { id } } });
  if (!revoked.data) throw new Error('revoke failed');
  seen.revoked = revoked.data.status;

  const missing = await client.GET('/v1/keys/{id}', { params: { path: { id: 'key_0000000000000000000000' } } });
  seen.missing = missing.error?.code;

  const scopes = await client.GET('/v1/scopes');
  if (!scopes.data) throw new Error('scopes failed');
  seen.dangerous = scopes.data.scopes.filter((scope) => scope.dangerous).map((scope) => scope.name);

  const presets = await client.GET('/v1/presets');
  if (!presets.data) throw new Error('presets failed');
  seen.deployBot = presets.data.presets['deploy-bot']?.scopes;

  process.stdout.write(JSON.stringify(seen));
}

main(process.argv[2] ?? '', process.argv[3] ?? '').catch((error: unknown) => {
  process.stderr.write(String(error));
  process.exit(1);
});
`;

describe('GET /openapi.json in third-party tools (fetched into an empty folder)', () => {
  let cp: TestControlPlane;
  let folder: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    folder = mkdtempSync(join(tmpdir(), 'managed-openapi-'));
    const response = await fetch(`${cp.url}/openapi.json`);
    expect(response.status).toBe(200);
    writeFileSync(join(folder, 'openapi.json'), await response.text());
  });
  afterAll(async () => {
    await cp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('Redocly CLI lint reports no errors and no warnings', async () => {
    const cli = join(NODE_MODULES, '@redocly', 'cli', 'bin', 'cli.js');
    const result = await runCommand(process.execPath, [cli, 'lint', 'openapi.json', '--format=json'], {
      cwd: folder,
      env: TOOL_ENV,
      expectExitCodes: [0, 1],
    });
    const report = JSON.parse(result.stdout) as { totals: { errors: number }; problems: Array<{ ruleId: string; severity: string; message: string }> };
    expect(report.problems.map(({ ruleId, severity, message }) => ({ ruleId, severity, message }))).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(result.exitCode).toBe(0);
  }, 120_000);

  test('openapi-typescript types and an openapi-fetch client compile under tsc --strict without casts, and run against the server', async () => {
    // Its command line, the way its users run it.
    const generator = join(NODE_MODULES, 'openapi-typescript', 'bin', 'cli.js');
    await runCommand(process.execPath, [generator, 'openapi.json', '--output', 'api.d.ts'], { cwd: folder, env: TOOL_ENV });
    writeFileSync(join(folder, 'client.ts'), TYPED_CLIENT);
    expect(TYPED_CLIENT).not.toMatch(/\bas\b|<any>|@ts-/);
    symlinkSync(NODE_MODULES, join(folder, 'node_modules'), 'dir');
    const tsc = join(NODE_MODULES, 'typescript', 'bin', 'tsc');
    await runCommand(
      process.execPath,
      [
        tsc,
        '--strict',
        '--noUncheckedIndexedAccess',
        '--target',
        'ES2022',
        '--module',
        'commonjs',
        '--moduleResolution',
        'node10',
        '--lib',
        'ES2022,DOM',
        '--types',
        'node',
        '--skipLibCheck',
        'client.ts',
      ],
      { cwd: folder, timeoutMs: 120_000 },
    );
    const run = await runCommand(process.execPath, ['client.js', cp.url, cp.ownerKey], { cwd: folder });
    const seen = JSON.parse(run.stdout);
    expect(seen.whoami).toEqual({ account_id: cp.accountId, role: 'owner' });
    expect(seen.minted).toEqual(['typed-a', 'typed-b', 'typed-c']);
    expect(seen.listed).toEqual(expect.arrayContaining(['typed-a', 'typed-b', 'typed-c']));
    expect(seen.read).toMatchObject({ status: 'active', scopes: ['sites:read'] });
    expect(seen.rotated).toBe(true);
    expect(seen.revoked).toBe('revoked');
    expect(seen.missing).toBe('not_found');
    expect(seen.dangerous).toEqual(expect.arrayContaining(['exec:raw']));
    expect(seen.deployBot).toEqual(expect.arrayContaining(['deploys:write']));
  }, 180_000);
});
