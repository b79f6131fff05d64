/**
 * Three control-plane processes (the build `npm start` runs) on one PostgreSQL database, each with
 * its own data directory and the same pepper, started together: what a deployment of N replicas
 * behind a load balancer relies on (README, "Running N replicas on PostgreSQL").
 *
 * "Within 1 s" is the issue's bound for a change made on one replica to reach the others' caches:
 * it is polled with a deadline, and missing the deadline fails the test; nothing else is timed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_MAIN, startControlPlaneReplica, type ControlPlaneReplica } from '../../scripts/lib/node-process';
import { TEST_RATE_LIMITS } from '../support/control-plane';
import { api, type ApiResponse } from '../support/http';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

/** The bound for a revocation, a demotion or a deletion to reach every replica. */
const PROPAGATION_DEADLINE_MS = 1000;

/** Polls `condition` until it holds; failing to within `deadlineMs` fails the test. */
async function within(deadlineMs: number, what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('three replicas (separate processes) on one PostgreSQL database', () => {
  let database: TestDatabase;
  const dataDirs: string[] = [];
  let replicas: ControlPlaneReplica[] = [];
  let ownerKey: string;
  /** The i-th of n requests goes to replica i mod 3, as a round-robin balancer would send it. */
  const spread = (index: number) => replicas[index % replicas.length]!.url;
  const asOwner = (url: string, method: string, path: string, json?: unknown, headers?: Record<string, string>) =>
    api(url, method, path, { key: ownerKey, ...(json !== undefined ? { json } : {}), ...(headers ? { headers } : {}) });

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      MANAGED_DATABASE_URL: database.url,
      MANAGED_PEPPER: 'one-pepper-shared-by-every-replica-0123456789',
      LOG_LEVEL: 'silent',
      ...TEST_RATE_LIMITS,
    };
    for (let i = 0; i < 3; i++) dataDirs.push(mkdtempSync(join(tmpdir(), `managed-replica-${'abc'[i]}-`)));
    // Started together: the migrations and the bootstrap race, and their locks decide.
    const started = await Promise.allSettled(dataDirs.map((dataDir) => startControlPlaneReplica(dataDir, env, BUILT_MAIN)));
    replicas = started.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
    const failed = started.find((start): start is PromiseRejectedResult => start.status === 'rejected');
    if (failed) throw failed.reason;
    const keyFiles = replicas.map((replica) => replica.bootstrapKeyFile).filter((file): file is string => file !== undefined);
    expect(keyFiles).toHaveLength(1);
    ownerKey = readFileSync(keyFiles[0]!, 'utf8').trim();
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  test('exactly one replica bootstraps and announces it; the others print nothing', () => {
    const [winner, ...others] = [...replicas].sort((a, b) => Number(b.bootstrapKeyFile !== undefined) - Number(a.bootstrapKeyFile !== undefined));
    expect(winner!.printedBeforeReady.join('\n')).toMatch(/Bootstrapped account/);
    for (const other of others) expect(other.printedBeforeReady).toEqual([]);
  });

  test('a key minted on A works on B; revoked on C, A and B refuse it within 1 s', async () => {
    const [a, b, c] = replicas.map((replica) => replica.url) as [string, string, string];
    const minted = await asOwner(a, 'POST', '/v1/keys', { name: 'ci', scopes: ['sites:read'] });
    expect(minted.status).toBe(201);
    const secret: string = minted.body.secret;
    for (const url of [a, b]) expect((await api(url, 'GET', '/v1/whoami', { key: secret })).status).toBe(200); // cached now

    expect((await asOwner(c, 'DELETE', `/v1/keys/${minted.body.id}`)).status).toBe(200);
    await Promise.all(
      [a, b].map((url) =>
        within(
          PROPAGATION_DEADLINE_MS,
          `${url} refusing the key revoked on C`,
          async () => (await api(url, 'GET', '/v1/whoami', { key: secret })).status === 401,
        ),
      ),
    );
  });

  test('a principal demoted on C loses its power on A and B within 1 s', async () => {
    const [a, b, c] = replicas.map((replica) => replica.url) as [string, string, string];
    const principal = await asOwner(a, 'POST', '/v1/principals', { name: 'deployer', kind: 'service', role: 'admin' });
    expect(principal.status).toBe(201);
    const key = await asOwner(a, 'POST', '/v1/keys', { name: 'deployer-key', scopes: ['teams:write'], principal_id: principal.body.id });
    expect(key.status).toBe(201);
    let attempt = 0;
    const createTeam = (url: string) => api(url, 'POST', '/v1/teams', { key: key.body.secret, json: { name: `team-${(attempt += 1)}` } });
    for (const url of [a, b]) expect((await createTeam(url)).status).toBe(201);

    expect((await asOwner(c, 'PATCH', `/v1/principals/${principal.body.id}`, { role: 'viewer' })).status).toBe(200);
    await Promise.all(
      [a, b].map((url) => within(PROPAGATION_DEADLINE_MS, `${url} refusing the principal demoted on C`, async () => (await createTeam(url)).status === 403)),
    );
  });

  test('a site deleted on A is gone on B and C within 1 s', async () => {
    const [a, b, c] = replicas.map((replica) => replica.url) as [string, string, string];
    const team = await asOwner(a, 'POST', '/v1/teams', { name: 'doomed-team' });
    const project = await asOwner(a, 'POST', `/v1/teams/${team.body.id}/projects`, { name: 'doomed-project' });
    const site = await asOwner(a, 'POST', `/v1/projects/${project.body.id}/sites`, { name: 'doomed-site' });
    expect(site.status).toBe(201);
    const reader = await asOwner(a, 'POST', '/v1/keys', { name: 'site-reader', scopes: ['sites:read'], constraint: { site_id: site.body.id } });
    expect(reader.status).toBe(201);
    const readSite = (url: string) => api(url, 'GET', `/v1/sites/${site.body.id}`, { key: reader.body.secret });
    for (const url of [b, c]) expect((await readSite(url)).status).toBe(200); // cached now

    expect((await asOwner(a, 'DELETE', `/v1/sites/${site.body.id}`)).status).toBe(204);
    await Promise.all(
      [b, c].map((url) => within(PROPAGATION_DEADLINE_MS, `${url} refusing the site deleted on A`, async () => (await readSite(url)).status !== 200)),
    );
    for (const url of [b, c]) expect((await readSite(url)).status).toBe(404);
  });

  test('9 concurrent creates with one Idempotency-Key, spread over the three, make exactly one key', async () => {
    const body = { name: 'idempotent-once', scopes: ['sites:read'] };
    const headers = { 'idempotency-key': 'one-key-for-nine-requests' };
    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => asOwner(spread(i), 'POST', '/v1/keys', body, headers)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(9).fill(201));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.body.secret)).size).toBe(1);
    // One of them minted; the eight others replayed its stored response.
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(8);
    const listed = await asOwner(spread(0), 'GET', '/v1/keys?limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body.items.filter((key: { name: string }) => key.name === body.name)).toHaveLength(1);
  });

  test('60 parallel mints spread over the three all succeed, and the audit chain verifies on every replica', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => asOwner(spread(i), 'POST', '/v1/keys', { name: `parallel-${i}`, scopes: ['sites:read'] })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(60).fill(201));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(60);
    for (const replica of replicas) {
      const verified = await asOwner(replica.url, 'GET', '/v1/audit/verify');
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ ok: true });
      expect(verified.body.checked).toBeGreaterThanOrEqual(60);
    }
  });

  // Last: it kills a replica.
  test('a replica killed with SIGKILL mid-load loses no acknowledged key', async () => {
    const victim = replicas[2]!;
    const survivors = replicas.slice(0, 2);
    const acknowledged: string[] = [];
    let acknowledgedByVictim = 0;
    const mint = async (i: number): Promise<void> => {
      const url = spread(i);
      let answer: ApiResponse;
      try {
        answer = await asOwner(url, 'POST', '/v1/keys', { name: `under-load-${i}`, scopes: ['sites:read'] });
      } catch {
        return; // the victim's connection died: nothing was acknowledged
      }
      if (answer.status !== 201) throw new Error(`mint ${i} on ${url} answered ${answer.status}: ${answer.text}`);
      acknowledged.push(answer.body.id);
      if (url === victim.url) acknowledgedByVictim += 1;
    };
    // Eight clients keep minting over all three; the victim dies once it has acknowledged a few.
    let next = 0;
    let killed = false;
    const client = async () => {
      while (next < 240) {
        const i = next++;
        await mint(i);
        if (!killed && acknowledgedByVictim >= 5) {
          killed = true;
          await victim.crash();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect(killed).toBe(true);
    expect(acknowledgedByVictim).toBeGreaterThanOrEqual(5);

    for (const [index, id] of acknowledged.entries()) {
      const survivor = survivors[index % survivors.length]!;
      const read = await asOwner(survivor.url, 'GET', `/v1/keys/${id}`);
      expect({ id, status: read.status }).toEqual({ id, status: 200 });
    }
    const verified = await asOwner(survivors[0]!.url, 'GET', '/v1/audit/verify');
    expect(verified.body).toMatchObject({ ok: true });
  });
});
