/**
 * API requests while the control plane's PostgreSQL is unreachable (issue 13): 503
 * `database_unavailable` problem+json with Retry-After, as /readyz answers, and one short log
 * line instead of a 500 with a stack. The database is reached through a TCP proxy the test closes,
 * which cuts every connection and refuses new ones, as a database that went away does.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../control-plane/src/app';
import { TEST_RATE_LIMITS } from '../../support/control-plane';
import { startFreezableTcpProxy, type FreezableTcpProxy } from '../../support/freezable-tcp-proxy';
import { api } from '../../support/http';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

describe('API on PostgreSQL while the database is unreachable', () => {
  let database: TestDatabase;
  let proxy: FreezableTcpProxy;
  let server: RunningServer;
  let dataDir: string;
  let stderr: string[];
  let stderrSpy: jest.SpyInstance;

  beforeEach(async () => {
    database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = await startFreezableTcpProxy(Number(direct.port));
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    dataDir = mkdtempSync(join(tmpdir(), 'managed-cp-unreachable-'));
    server = await startServer({
      env: {
        MANAGED_DATA_DIR: dataDir,
        MANAGED_DATABASE_URL: viaProxy.toString(),
        MANAGED_PEPPER: randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'silent',
        ...TEST_RATE_LIMITS,
      },
      config: { port: 0, host: '127.0.0.1' },
      announce: () => undefined,
    });
    stderr = [];
    stderrSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterEach(async () => {
    stderrSpy.mockRestore();
    await server.close();
    await proxy.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('reads and writes answer 503 database_unavailable with Retry-After and a one-line log, not 500', async () => {
    const ownerKey = server.bootstrap.created ? server.bootstrap.ownerKey : '';
    expect((await api(server.url, 'GET', '/v1/keys', { key: ownerKey })).status).toBe(200);
    await proxy.close(); // every connection cut; new ones refused
    const requests: Array<[string, string, unknown?]> = [
      ['GET', '/v1/keys'],
      ['GET', '/v1/audit'],
      ['POST', '/v1/keys', { name: 'during-outage', scopes: ['keys:read'] }],
    ];
    for (const [method, path, json] of requests) {
      const response = await api(server.url, method, path, { key: ownerKey, ...(json !== undefined ? { json } : {}) });
      expect({ method, path, status: response.status, contentType: response.contentType, code: response.body.code }).toEqual({
        method,
        path,
        status: 503,
        contentType: 'application/problem+json; charset=utf-8',
        code: 'database_unavailable',
      });
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body.type).toBe('https://managed.dev/problems/database_unavailable');
    }
    const log = stderr.join('');
    expect(log).not.toMatch(/unexpected error/);
    expect(log).not.toMatch(/\n\s+at /); // no stack
    expect(log).toMatch(/database unavailable on GET \/v1\/keys: /);
  });
});
