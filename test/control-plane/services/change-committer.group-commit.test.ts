/**
 * Group commit on SQLite: the changes of one event-loop turn share a transaction and are answered
 * after it commits. PostgreSQL commits each change on its own (storage/sql-database.ts,
 * TransactionOptions.groupCommit), so this file runs in the sqlite jest project only (jest.config.js);
 * what holds on both stores is in change-committer.test.ts.
 */
import Database from 'better-sqlite3';
import { SqliteDatabase } from '../../../control-plane/src/storage/sqlite/sqlite-database';
import { useChangeCommitterFixture } from '../../support/change-committer-fixture';
import { ApiError } from '../../../control-plane/src/domain/errors';

describe('ChangeCommitter', () => {
  const fixture = useChangeCommitterFixture();
  const { mint, change } = fixture;

  test('changes made in one turn commit together, and none is answered before the commit', async () => {
    const services = fixture.cp.server.services;
    const outside = new Database(fixture.cp.databasePath, { readonly: true });
    try {
      const visibleOutside = (name: string) => outside.prepare('SELECT COUNT(*) FROM api_keys WHERE name = ?').pluck().get(name);
      let answered = 0;
      const first = services.changes.commit(change('batched-1'), mint('batched-1')).then((r) => ((answered += 1), r));
      const refused = services.changes.commit(change('refused'), async () => {
        await mint('refused')(); // written, then the change fails: its savepoint takes the row back
        throw new ApiError({ code: 'scope_escalation', detail: 'no' });
      });
      const second = services.changes.commit(change('batched-2'), mint('batched-2')).then((r) => ((answered += 1), r));
      await expect(refused).rejects.toThrow(ApiError);
      // Still the same turn of the event loop: nothing is committed, nothing answered.
      expect(answered).toBe(0);
      expect(visibleOutside('batched-1')).toBe(0);
      const [one, two] = await Promise.all([first, second]);
      // Answered only now, and by then another connection sees both keys and both audit entries.
      expect(visibleOutside('batched-1')).toBe(1);
      expect(visibleOutside('batched-2')).toBe(1);
      expect(visibleOutside('refused')).toBe(0);
      const audited = outside.prepare("SELECT target FROM audit_log WHERE action = 'key.create'").pluck().all();
      expect(audited).toEqual(expect.arrayContaining([(one.body as { id: string }).id, (two.body as { id: string }).id]));
      expect(await services.auditRecords.verify(fixture.cp.accountId)).toMatchObject({ ok: true });
    } finally {
      outside.close();
    }
  });

  test('a batch SQLite rolled back by itself fails its changes instead of answering them', async () => {
    const services = fixture.cp.server.services;
    const { connection } = services.db as SqliteDatabase;
    const lost = services.changes.commit(change('lost'), mint('lost'));
    // A later change of the same batch hits an I/O error: SQLite rolls the whole transaction back
    // on its own (the earlier change's savepoint with it) and the statement throws.
    const failing = services.changes.commit(change('io-error'), async () => {
      await mint('io-error')();
      connection.exec('ROLLBACK');
      throw new Error('disk I/O error');
    });
    const next = services.changes.commit(change('after'), mint('after'));
    await expect(failing).rejects.toThrow('disk I/O error');
    await expect(lost).rejects.toThrow(/rolled back/);
    await expect(next).resolves.toMatchObject({ status: 201 });
    const names = await services.db.all<{ name: string }>("SELECT name FROM api_keys WHERE name IN ('lost', 'io-error', 'after')");
    expect(names.map((row) => row.name)).toEqual(['after']);
    // Nothing of the lost batch reached the audit log either; what did commit still verifies.
    const audited = await services.db.all<{ target: string }>("SELECT target FROM audit_log WHERE action = 'key.create'");
    expect(audited).toHaveLength(1);
    expect(await services.auditRecords.verify(fixture.cp.accountId)).toMatchObject({ ok: true });
  });
});
