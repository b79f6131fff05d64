/**
 * `npm start` and the operator CLI as real processes over a real data directory (docs/guides/configuration.md).
 * They run the built entry points in dist/ (`npm test` builds first); children are spawned
 * asynchronously so nothing blocks.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api } from '../support/http';
import { REPOSITORY_ROOT, runCommand } from '../support/terraform';
import { generateSecret } from '@managed-dev/contract';
import Database from 'better-sqlite3';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SETTINGS } from '../../control-plane/src/config';

const MAIN = join(REPOSITORY_ROOT, 'dist', 'control-plane', 'src', 'main.js');
const CLI = join(REPOSITORY_ROOT, 'dist', 'control-plane', 'src', 'cli.js');
const SECRET = /mdk_[0-9A-Za-z]{46}/g;

interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  stop(): Promise<number | null>;
}

function baseEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { MANAGED_PEPPER: _pepper, MANAGED_BOOTSTRAP_KEY: _key, ...rest } = process.env;
  return { ...rest, MANAGED_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...extra };
}

/** `umask`: start the server through a shell that sets it first (octal, e.g. "022"). */
function startMain(dataDir: string, extra: Record<string, string> = {}, umask?: string, cwd = REPOSITORY_ROOT): Promise<ServerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
  const [command, args] = umask === undefined ? [process.execPath, [MAIN]] : ['/bin/sh', ['-c', `umask ${umask} && exec "$0" "$1"`, process.execPath, MAIN]];
  const child = spawn(command, args, { cwd, env: baseEnv(dataDir, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout}\n${stderr}`)), 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`), { stdout, stderr, code }));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          output: () => stdout,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}

describe('npm start and the operator CLI', () => {
  let dataDir: string;
  const running: ServerProcess[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'managed-main-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the first start on an empty directory prints the bootstrap key once; a restart prints nothing new', async () => {
    const first = await startMain(dataDir);
    running.push(first);
    const printed = first.output().match(SECRET) ?? [];
    expect(printed).toHaveLength(1);
    const ownerKey = printed[0]!;
    const keyFile = join(dataDir, 'bootstrap-owner-key');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(ownerKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dataDir, 'managed.sqlite'))).toBe(true);
    const whoami = await api(first.url, 'GET', '/v1/whoami', { key: ownerKey });
    expect(whoami.status).toBe(200);
    expect(whoami.body.role).toBe('owner');
    expect(await running.pop()!.stop()).toBe(0);

    const second = await startMain(dataDir);
    running.push(second);
    expect(second.output()).not.toMatch(SECRET);
    expect(second.output()).not.toMatch(/bootstrap/i);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(ownerKey);
    expect((await api(second.url, 'GET', '/v1/whoami', { key: ownerKey })).body.account_id).toBe(whoami.body.account_id);
  });

  test('MANAGED_BOOTSTRAP_KEY installs the given key without printing or writing it', async () => {
    const given = generateSecret();
    const server = await startMain(dataDir, { MANAGED_BOOTSTRAP_KEY: given });
    running.push(server);
    expect(server.output()).not.toMatch(SECRET);
    expect(existsSync(join(dataDir, 'bootstrap-owner-key'))).toBe(false);
    expect((await api(server.url, 'GET', '/v1/whoami', { key: given })).status).toBe(200);
  });

  test('an invalid MANAGED_BOOTSTRAP_KEY stops the start with a clear error', async () => {
    const valid = generateSecret();
    const bad = valid.slice(0, -1) + (valid.endsWith('A') ? 'B' : 'A'); // fails the checksum
    const failure = await startMain(dataDir, { MANAGED_BOOTSTRAP_KEY: bad }).catch((error) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect(failure.stderr).toContain('MANAGED_BOOTSTRAP_KEY is not a valid key (checksum mismatch)');
    expect(existsSync(join(dataDir, 'bootstrap-owner-key'))).toBe(false);
  });

  test('with MANAGED_DATABASE_URL and no MANAGED_PEPPER the server refuses to start, naming the setting, before connecting or writing anything', async () => {
    // Nothing listens on port 9 of loopback: a start that tried to connect would fail differently.
    const failure = await startMain(dataDir, { MANAGED_DATABASE_URL: 'postgres://managed@127.0.0.1:9/managed' }).catch((error) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect(failure.stderr).toContain('MANAGED_PEPPER is required with MANAGED_DATABASE_URL');
    expect(existsSync(join(dataDir, 'pepper'))).toBe(false);
  });

  test('"npm run --silent cli -- account create <name>" prints JSON and works while the server runs', async () => {
    const server = await startMain(dataDir);
    running.push(server);
    const result = await runCommand('npm', ['run', '--silent', 'cli', '--', 'account', 'create', 'acme'], {
      cwd: REPOSITORY_ROOT,
      env: baseEnv(dataDir),
      timeoutMs: 60_000,
    });
    const printed = JSON.parse(result.stdout) as { account_id: string; owner_key: string };
    expect(Object.keys(printed).sort()).toEqual(['account_id', 'owner_key']);
    expect(printed.account_id).toMatch(/^acct_/);
    expect(printed.owner_key).toMatch(/^mdk_[0-9A-Za-z]{46}$/);
    const whoami = await api(server.url, 'GET', '/v1/whoami', { key: printed.owner_key });
    expect(whoami.status).toBe(200);
    expect(whoami.body).toMatchObject({ account_id: printed.account_id, role: 'owner' });

    const duplicate = await runCommand(process.execPath, [CLI, 'account', 'create', 'acme'], {
      cwd: REPOSITORY_ROOT,
      env: baseEnv(dataDir),
      expectExitCodes: [1],
    });
    expect(duplicate.stderr).toContain('already exists');
    const invalid = await runCommand(process.execPath, [CLI, 'account', 'create', 'Not Valid!'], {
      cwd: REPOSITORY_ROOT,
      env: baseEnv(dataDir),
      expectExitCodes: [2],
    });
    expect(invalid.stderr).toContain('invalid account name');
    const reserved = await runCommand(process.execPath, [CLI, 'account', 'create', 'default'], {
      cwd: REPOSITORY_ROOT,
      env: baseEnv(dataDir),
      expectExitCodes: [2],
    });
    expect(reserved.stderr).toContain('reserved');
    const usage = await runCommand(process.execPath, [CLI, 'accounts'], { cwd: REPOSITORY_ROOT, env: baseEnv(dataDir), expectExitCodes: [2] });
    expect(usage.stderr).toContain('usage:');
    expect(usage.stdout).toBe('');
  });

  test('"npm start -- --help" prints every setting and exits without creating the data directory; an unknown argument is exit 2 with the usage', async () => {
    const fresh = join(dataDir, 'never-created');
    const result = await runCommand('npm', ['start', '--silent', '--', '--help'], { cwd: REPOSITORY_ROOT, env: baseEnv(fresh), timeoutMs: 60_000 });
    for (const name of SETTINGS.map((setting) => setting.name)) expect(result.stdout).toContain(name);
    expect(result.stdout).not.toMatch(SECRET);
    expect(existsSync(fresh)).toBe(false);
    const unknown = await runCommand(process.execPath, [MAIN, '--port', '80'], { cwd: REPOSITORY_ROOT, env: baseEnv(fresh), expectExitCodes: [2] });
    expect(unknown.stderr).toContain('unknown argument "--port"');
    expect(existsSync(fresh)).toBe(false);
    // Through npm too: an unknown argument is an error with the usage, never a started server.
    const viaNpm = await runCommand('npm', ['start', '--silent', '--', 'serve'], {
      cwd: REPOSITORY_ROOT,
      env: baseEnv(fresh),
      timeoutMs: 60_000,
      expectExitCodes: [2],
    });
    expect(viaNpm.stderr).toContain('unknown argument "serve"');
    expect(viaNpm.stderr).toContain('usage: npm start');
    expect(viaNpm.stdout).not.toContain('listening on');
    expect(existsSync(fresh)).toBe(false);
  });

  test('the built server serves the built dashboard at "/" and its hashed assets, whatever the working directory', async () => {
    // MANAGED_DASHBOARD_DIR empty means "the default": the dashboard build beside the compiled module.
    const server = await startMain(dataDir, { MANAGED_DASHBOARD_DIR: '' }, undefined, dataDir);
    running.push(server);
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await index.text();
    expect((await fetch(`${server.url}/index.html`)).status).toBe(200);
    const asset = /(?:src|href)="(\/assets\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const assetResponse = await fetch(`${server.url}${asset}`);
    expect(assetResponse.status).toBe(200);
    expect(assetResponse.headers.get('content-type')).toMatch(/javascript|css/);
    await assetResponse.arrayBuffer();
  });

  test('a port already in use fails the start (non-zero exit) before any key is made or printed', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((blocker.address() as AddressInfo).port);
      const failure = await startMain(dataDir, { PORT: port }).catch((error) => error);
      expect(failure.code).not.toBe(0);
      expect(failure.code).not.toBeNull();
      expect(failure.stderr).toContain('EADDRINUSE');
      expect(`${failure.stdout}${failure.stderr}`).not.toMatch(SECRET);
      expect(existsSync(join(dataDir, 'bootstrap-owner-key'))).toBe(false);
    } finally {
      blocker.close();
    }
    // The next start on a free port bootstraps as a first start does.
    const server = await startMain(dataDir);
    running.push(server);
    expect(server.output().match(SECRET) ?? []).toHaveLength(1);
  });

  test('"cli -- backup <file>" copies a live database consistently; the copy passes integrity_check and holds the keys', async () => {
    const server = await startMain(dataDir);
    running.push(server);
    const ownerKey = server.output().match(SECRET)![0]!;
    for (let index = 0; index < 20; index++) {
      expect((await api(server.url, 'POST', '/v1/keys', { key: ownerKey, json: { name: `k${index}`, scopes: ['sites:read'] } })).status).toBe(201);
    }
    // Writes keep going while the copy is taken.
    const writes = Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        api(server.url, 'POST', '/v1/keys', { key: ownerKey, json: { name: `during${index}`, scopes: ['sites:read'] } }),
      ),
    );
    const file = join(dataDir, 'copy.sqlite');
    const result = await runCommand('npm', ['run', '--silent', 'cli', '--', 'backup', file], {
      cwd: REPOSITORY_ROOT,
      env: baseEnv(dataDir),
      timeoutMs: 60_000,
    });
    await writes;
    expect(JSON.parse(result.stdout)).toMatchObject({ file, integrity_check: 'ok' });
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const names = copy
        .prepare<[], { name: string }>("SELECT name FROM api_keys WHERE name LIKE 'k%'")
        .all()
        .map((row) => row.name);
      expect(names).toHaveLength(20);
    } finally {
      copy.close();
    }
    const again = await runCommand(process.execPath, [CLI, 'backup', file], { cwd: REPOSITORY_ROOT, env: baseEnv(dataDir), expectExitCodes: [1] });
    expect(again.stderr).toContain('already exists');
  });

  test('"cli -- --help" lists every command', async () => {
    const result = await runCommand(process.execPath, [CLI, '--help'], { cwd: REPOSITORY_ROOT, env: baseEnv(dataDir) });
    expect(result.stdout).toContain('account create <name>');
    expect(result.stdout).toContain('backup <file>');
    expect(result.stdout).toContain('MANAGED_DATABASE_URL');
    expect(result.stdout).toContain('MANAGED_DATABASE_POOL_SIZE');
    expect(existsSync(join(dataDir, 'managed.sqlite'))).toBe(false);
  });

  test('"cli -- backup <file>" with MANAGED_DATABASE_URL says to use pg_dump, not that the SQLite file is missing', async () => {
    const env = {
      ...baseEnv(dataDir),
      MANAGED_DATABASE_URL: 'postgres://operator:do-not-print@127.0.0.1:1/managed',
      MANAGED_PEPPER: 'a-shared-pepper-of-at-least-32-characters',
    };
    const result = await runCommand(process.execPath, [CLI, 'backup', join(dataDir, 'never.sqlite')], { cwd: REPOSITORY_ROOT, env, expectExitCodes: [1] });
    expect(result.stderr).toContain('pg_dump');
    expect(result.stderr).not.toContain('no database at');
    expect(result.stderr).not.toContain('do-not-print');
    expect(existsSync(join(dataDir, 'never.sqlite'))).toBe(false);
  });

  test('SIGTERM drains and exits 0; the JSON request log lines are on stdout by then, without the key', async () => {
    const server = await startMain(dataDir);
    const ownerKey = server.output().match(SECRET)![0]!;
    expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
    expect((await api(server.url, 'GET', `/v1/whoami?key=${ownerKey}`, { key: ownerKey })).status).toBe(400);
    expect(await server.stop()).toBe(0);
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'request', method: 'GET', route: '/healthz', status: 200, key_id: null }),
        expect.objectContaining({
          msg: 'request',
          method: 'GET',
          route: '/v1/whoami',
          path: '/v1/whoami',
          status: 400,
          key_id: expect.stringMatching(/^key_/),
        }),
      ]),
    );
    const afterBootstrap = server.output().slice(server.output().indexOf('listening on'));
    expect(afterBootstrap).not.toContain(ownerKey);
  });

  test.each(['022', '000'])('under umask %s the data directory is 0700 and every file in it 0600', async (umask) => {
    rmSync(dataDir, { recursive: true, force: true }); // the server creates it
    const server = await startMain(dataDir, {}, umask);
    running.push(server);
    const ownerKey = readFileSync(join(dataDir, 'bootstrap-owner-key'), 'utf8').trim();
    // A write, so the WAL and its index exist beside the database.
    expect((await api(server.url, 'POST', '/v1/teams', { key: ownerKey, json: { name: 'umask-team' } })).status).toBe(201);
    const files = readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['managed.sqlite', 'managed.sqlite-wal', 'managed.sqlite-shm', 'pepper', 'bootstrap-owner-key']));
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    for (const file of files) expect([file, (statSync(join(dataDir, file)).mode & 0o777).toString(8)]).toEqual([file, '600']);
  });

  test('parallel "account create" of one name: one succeeds, the others say the name is taken, cleanly', async () => {
    const server = await startMain(dataDir);
    running.push(server);
    const attempts = await Promise.all(
      Array.from({ length: 6 }, () =>
        runCommand(process.execPath, [CLI, 'account', 'create', 'racer'], { cwd: REPOSITORY_ROOT, env: baseEnv(dataDir), expectExitCodes: [0, 1] }),
      ),
    );
    const succeeded = attempts.filter((attempt) => attempt.stdout.includes('owner_key'));
    expect(succeeded).toHaveLength(1);
    for (const attempt of attempts.filter((a) => !succeeded.includes(a))) {
      expect(attempt.stderr.trim()).toBe('an account named "racer" already exists');
    }
  });
});
