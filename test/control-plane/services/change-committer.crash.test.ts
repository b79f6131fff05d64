/**
 * One transaction per write, proven the hard way: the real server process (npm start's entry
 * module) is killed with SIGKILL while clients mint keys with and without Idempotency-Keys, and
 * restarted, 20 times. Afterwards no key lacks its audit entry, no Idempotency-Key produced a
 * second key, every replay returned the one key, and the audit chain verifies.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { BUILT_MAIN, type ControlPlaneProcess, REPOSITORY_ROOT, startControlPlaneProcess } from '../../../scripts/lib/node-process';
import { databasePath } from '../../../control-plane/src/storage/sqlite/sqlite-files';

const ROUNDS = 20;
const CLIENTS = 8;
/** Idempotency-Keys reused across rounds, so retries after a crash hit committed and uncommitted ones. */
const IDEMPOTENCY_KEYS = 40;

jest.setTimeout(120_000);

// A deterministic pseudo-random sequence (mulberry32), so a failure can be re-run the same way.
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const idempotentBody = (n: number) => ({ name: `idem-${n}`, scopes: ['sites:read'], ttl: '1d' });

async function mint(url: string, ownerKey: string, body: object, idempotencyKey?: string): Promise<{ status: number; body: any } | undefined> {
  try {
    const response = await fetch(`${url}/v1/keys`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ownerKey}`,
        'content-type': 'application/json',
        ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  } catch {
    return undefined; // the server died under this request: its outcome is unknown to the client
  }
}

// The built server (what `npm start` runs): it starts in a fraction of the time tsx needs, 21 times.
const start = (dataDir: string) => {
  if (!existsSync(join(REPOSITORY_ROOT, BUILT_MAIN))) throw new Error(`${BUILT_MAIN} is missing: run "npm run build" first (npm test does)`);
  // One key makes all the load: its rate limit must not be what answers.
  return startControlPlaneProcess(dataDir, { MANAGED_RATE_LIMIT_PER_KEY: '1000000' }, BUILT_MAIN);
};

test(`${ROUNDS} rounds of SIGKILL during idempotent minting leave no unaudited key, no duplicate, and a chain that verifies`, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'managed-crash-'));
  const random = randomSource(20261201);
  /** Every id a 201 handed out for each Idempotency-Key. */
  const idsByIdempotencyKey = new Map<number, Set<string>>();
  let answered = 0;
  let server: ControlPlaneProcess | undefined;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      server = await start(dataDir);
      const running = server;
      let killed = false;
      let answeredThisRound = 0;
      const client = async () => {
        while (!killed) {
          const n = Math.floor(random() * IDEMPOTENCY_KEYS);
          const plain = random() < 0.25;
          const result = plain
            ? await mint(running.url, running.ownerKey, { name: `plain-${round}`, preset: 'read-only', ttl: '1d' })
            : await mint(running.url, running.ownerKey, idempotentBody(n), `crash-test-${n}`);
          if (!result) continue;
          answered += 1;
          answeredThisRound += 1;
          expect(result.status).toBe(201);
          if (!plain) idsByIdempotencyKey.set(n, (idsByIdempotencyKey.get(n) ?? new Set()).add(result.body.id));
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      // Kill mid-stream (once mints are flowing), at a different moment every round.
      for (let waited = 0; answeredThisRound < 3 && waited < 10_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 60)));
      await running.crash();
      killed = true;
      await Promise.all(clients);
    }

    // After the last crash: every Idempotency-Key once more. A committed one replays its key; one
    // that never committed mints now. Either way there is exactly one key per Idempotency-Key.
    server = await start(dataDir);
    for (let n = 0; n < IDEMPOTENCY_KEYS; n++) {
      const result = await mint(server.url, server.ownerKey, idempotentBody(n), `crash-test-${n}`);
      expect(result?.status).toBe(201);
      idsByIdempotencyKey.set(n, (idsByIdempotencyKey.get(n) ?? new Set()).add(result!.body.id));
    }
    for (const [n, ids] of idsByIdempotencyKey) expect({ n, ids: [...ids] }).toEqual({ n, ids: [expect.any(String)] });

    const verdict = await (await fetch(`${server.url}/v1/audit/verify`, { headers: { authorization: `Bearer ${server.ownerKey}` } })).json();
    expect(verdict).toMatchObject({ ok: true });
    await server.stop();
    server = undefined;

    const db = new Database(databasePath(dataDir), { readonly: true });
    try {
      const perName = db.prepare("SELECT name, COUNT(*) AS keys FROM api_keys WHERE name LIKE 'idem-%' GROUP BY name").all() as Array<{
        name: string;
        keys: number;
      }>;
      expect(perName).toHaveLength(IDEMPOTENCY_KEYS);
      for (const row of perName) expect(row).toEqual({ name: row.name, keys: 1 });
      const unaudited = db
        .prepare(
          `SELECT id FROM api_keys k WHERE created_by_key_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'key.create' AND a.target = k.id)`,
        )
        .all();
      expect(unaudited).toEqual([]);
      const minted = db.prepare('SELECT COUNT(*) FROM api_keys WHERE created_by_key_id IS NOT NULL').pluck().get() as number;
      process.stdout.write(`${ROUNDS} crashes: ${answered} answered mints, ${minted} keys in the database, all audited\n`);
      expect(minted).toBeGreaterThan(IDEMPOTENCY_KEYS);
    } finally {
      db.close();
    }
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
