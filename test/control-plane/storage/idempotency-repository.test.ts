import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Db, openDatabase } from '../../../control-plane/src/storage/database';
import { IdempotencyRepository, PURGE_BATCH } from '../../../control-plane/src/storage/idempotency-repository';

describe('IdempotencyRepository', () => {
  let dir: string;
  let db: Db;
  let records: IdempotencyRepository;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idempotency-repo-'));
    db = openDatabase(dir);
    records = new IdempotencyRepository(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('purging walks the created_at index and deletes a bounded batch per call', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN DELETE FROM idempotency_records WHERE key_digest IN
           (SELECT key_digest FROM idempotency_records WHERE created_at <= ? ORDER BY created_at LIMIT ${PURGE_BATCH})`,
      )
      .all(0) as Array<{ detail: string }>;
    expect(plan.map((row) => row.detail).join('\n')).toMatch(/USING (COVERING )?INDEX idempotency_records_by_age/);

    const expired = 3 * PURGE_BATCH + 5;
    db.transaction(() => {
      for (let i = 0; i < expired; i++) records.put(randomBytes(32), randomBytes(32), 1_000 + i, randomBytes(16));
      records.put(randomBytes(32), randomBytes(32), 10_000, randomBytes(16)); // still fresh
    })();
    const deleted: number[] = [];
    for (let call = 0; call < 5; call++) deleted.push(records.purgeCreatedBefore(5_000));
    expect(deleted).toEqual([PURGE_BATCH, PURGE_BATCH, PURGE_BATCH, 5, 0]);
    expect(db.prepare('SELECT COUNT(*) FROM idempotency_records').pluck().get()).toBe(1);
  });
});
