import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Db, databasePath, openDatabase } from '../../../control-plane/src/storage/database';
import { startWalCheckpointer } from '../../../control-plane/src/storage/wal-checkpointer';

describe('WAL checkpointer', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    db = openDatabase(dir);
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const walFrames = () => (db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>)[0]!;

  test('turns the automatic checkpoint off and checkpoints the WAL from its own thread', async () => {
    const checkpointer = startWalCheckpointer(db, 10);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    db.exec('CREATE TABLE filler (value BLOB)');
    const insert = db.prepare('INSERT INTO filler VALUES (randomblob(4000))');
    for (let i = 0; i < 200; i++) insert.run();
    // Every frame written so far gets copied into the database file by the worker, not by us.
    const sizeBefore = statSync(databasePath(dir)).size;
    for (let waited = 0; statSync(databasePath(dir)).size === sizeBefore && waited < 10_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(statSync(databasePath(dir)).size).toBeGreaterThan(sizeBefore + 100 * 4000);
    await checkpointer.stop();
    const frames = walFrames();
    expect(frames.checkpointed).toBe(frames.log);
  });

  test('gives the automatic checkpoint back once the worker has stopped', async () => {
    const checkpointer = startWalCheckpointer(db, 10);
    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
