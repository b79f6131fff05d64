import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databasePath } from '../../../control-plane/src/storage/sqlite/sqlite-files';
import { SqliteDatabase, openSqliteDatabase } from '../../../control-plane/src/storage/sqlite/sqlite-database';

describe('WAL checkpointer', () => {
  let dir: string;
  let db: SqliteDatabase;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    db = await openSqliteDatabase(dir);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const walFrames = () => (db.connection.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>)[0]!;

  test('turns the automatic checkpoint off and checkpoints the WAL from its own thread', async () => {
    const checkpointer = db.startWalCheckpointer(10);
    expect(db.connection.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await db.exec('CREATE TABLE filler (value BLOB)');
    // Measured before the inserts: the worker may copy frames into the database file while they
    // run (automatic checkpoints are off, so nothing else grows the file).
    const sizeBefore = statSync(databasePath(dir)).size;
    for (let i = 0; i < 200; i++) await db.run('INSERT INTO filler VALUES (?)', [Buffer.alloc(4000, i)]);
    // 800 KB of rows reach the database file through the worker's checkpoints, not through ours.
    const grown = () => statSync(databasePath(dir)).size > sizeBefore + 200 * 4000;
    for (let waited = 0; !grown() && waited < 10_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(statSync(databasePath(dir)).size).toBeGreaterThan(sizeBefore + 200 * 4000);
    await checkpointer.stop();
    const frames = walFrames();
    expect(frames.checkpointed).toBe(frames.log);
  });

  test('gives the automatic checkpoint back once the worker has stopped', async () => {
    const checkpointer = db.startWalCheckpointer(10);
    await checkpointer.stop();
    expect(db.connection.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
