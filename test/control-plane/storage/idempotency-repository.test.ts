import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SqliteDatabase, openSqliteDatabase } from '../../../control-plane/src/storage/sqlite/sqlite-database';
import { IdempotencyRepository, PURGE_BATCH, PURGE_SQL } from '../../../control-plane/src/storage/idempotency-repository';

describe('IdempotencyRepository', () => {
  let dir: string;
  let db: SqliteDatabase;
  let records: IdempotencyRepository;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idempotency-repo-'));
    db = await openSqliteDatabase(dir);
    records = new IdempotencyRepository(db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('purging walks the created_at index and deletes a bounded batch per call', async () => {
    const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${PURGE_SQL}`, [0]);
    expect(plan.map((row) => row.detail).join('\n')).toMatch(/USING (COVERING )?INDEX idempotency_records_by_age/);

    const expired = 3 * PURGE_BATCH + 5;
    await db.transaction(async () => {
      for (let i = 0; i < expired; i++) await records.put(randomBytes(32), randomBytes(32), 1_000 + i, randomBytes(16));
      await records.put(randomBytes(32), randomBytes(32), 10_000, randomBytes(16)); // still fresh
    });
    const deleted: number[] = [];
    for (let call = 0; call < 5; call++) deleted.push(await records.purgeCreatedBefore(5_000));
    expect(deleted).toEqual([PURGE_BATCH, PURGE_BATCH, PURGE_BATCH, 5, 0]);
    expect(await db.get('SELECT COUNT(*) AS n FROM idempotency_records')).toEqual({ n: 1 });
  });

  test('a record under a digest already taken (an expired one the purge has not reached) is replaced', async () => {
    const digest = randomBytes(32);
    await records.put(digest, Buffer.from('first request'), 1_000, Buffer.from('first response'));
    await records.put(digest, Buffer.from('second request'), 2_000, Buffer.from('second response'));
    expect(await records.find(digest)).toEqual({
      requestDigest: Buffer.from('second request'),
      createdAt: 2_000,
      response: Buffer.from('second response'),
    });
  });
});
