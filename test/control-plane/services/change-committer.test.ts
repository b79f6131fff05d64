/**
 * Changes on either store: answered only once committed, a refused one leaves nothing. SQLite's
 * group commit (one COMMIT for a turn's changes) has its own file, change-committer.group-commit.test.ts.
 */
import { useChangeCommitterFixture } from '../../support/change-committer-fixture';
import { ApiError } from '../../../control-plane/src/domain/errors';

describe('ChangeCommitter', () => {
  const fixture = useChangeCommitterFixture();
  const { mint, change } = fixture;

  test('a change is answered once another connection sees it and its audit entry; a refused one leaves nothing', async () => {
    const services = fixture.cp.server.services;
    const count = async (name: string) =>
      Number((await fixture.cp.queryOutside<{ n: number | string }>('SELECT COUNT(*) AS n FROM api_keys WHERE name = ?', [name]))[0].n);
    const refused = services.changes.commit(change('refused'), async () => {
      await mint('refused')(); // written, then the change fails: its transaction (or savepoint) takes the row back
      throw new ApiError({ code: 'scope_escalation', detail: 'no' });
    });
    const [one, two] = await Promise.all([
      services.changes.commit(change('concurrent-1'), mint('concurrent-1')),
      services.changes.commit(change('concurrent-2'), mint('concurrent-2')),
    ]);
    await expect(refused).rejects.toThrow(ApiError);
    expect(await count('concurrent-1')).toBe(1);
    expect(await count('concurrent-2')).toBe(1);
    expect(await count('refused')).toBe(0);
    const audited = await fixture.cp.queryOutside<{ target: string }>("SELECT target FROM audit_log WHERE action = 'key.create'");
    expect(audited.map((row) => row.target)).toEqual(expect.arrayContaining([(one.body as { id: string }).id, (two.body as { id: string }).id]));
    expect(await services.auditRecords.verify(fixture.cp.accountId)).toMatchObject({ ok: true });
  });

  test('a change inside a transaction someone else opened is a savepoint of it, committed by its owner', async () => {
    const services = fixture.cp.server.services;
    const outer = services.db.transaction(async () => {
      const inner = await services.changes.commit(change('inside'), mint('inside'));
      // Answered to the outer transaction at once (its owner commits), and undone with it.
      expect(inner.status).toBe(201);
      throw new Error('the outer transaction fails');
    });
    await expect(outer).rejects.toThrow('the outer transaction fails');
    expect(await services.db.get("SELECT 1 FROM api_keys WHERE name = 'inside'")).toBeUndefined();
  });
});
