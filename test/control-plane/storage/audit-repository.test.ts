import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainHash, canonicalAuditEntry } from '../../../control-plane/src/domain/audit-chain';
import { SqliteDatabase, openSqliteDatabase } from '../../../control-plane/src/storage/sqlite/sqlite-database';
import { AuditRepository, VERIFY_SLICE_ENTRIES } from '../../../control-plane/src/storage/audit-repository';
import { auditSealKey } from '../../../control-plane/src/domain/audit-chain';
import { auditFields } from '../../support/audit-fields';

describe('AuditRepository', () => {
  let dir: string;
  let db: SqliteDatabase;
  let audit: AuditRepository;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-repo-'));
    db = await openSqliteDatabase(dir);
    audit = new AuditRepository(db, auditSealKey(Buffer.alloc(32, 7)));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = auditFields;

  it('keeps one chain per account and pages newest first', async () => {
    for (let i = 0; i < 5; i++) await audit.append(entry('acct_A', `a.${i}`));
    await audit.append(entry('acct_B', 'b.0'));
    await audit.append(entry(null, 'system.0'));
    const first = await audit.page({ accountId: 'acct_A', limit: 2 });
    expect(first.map((e) => e.action)).toEqual(['a.4', 'a.3', 'a.2']);
    const next = await audit.page({ accountId: 'acct_A', limit: 2, beforeSequence: first[1]!.sequence });
    expect(next.map((e) => e.action)).toEqual(['a.2', 'a.1', 'a.0']);
    expect((await audit.page({ accountId: 'acct_B', limit: 10 })).map((e) => e.sequence)).toEqual([1]);
    expect(await audit.verify('acct_A')).toMatchObject({ ok: true, checked: 5 });
  });

  it('keeps one chain when many appends run at once, grouped or each on its own', async () => {
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => audit.append(entry('acct_A', `alone.${i}`))),
      ...Array.from({ length: 10 }, (_, i) => db.transaction(() => audit.append(entry('acct_A', `grouped.${i}`)), { groupCommit: true })),
    ]);
    const sequences = (await audit.page({ accountId: 'acct_A', limit: 100 })).map((e) => e.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await audit.verify('acct_A')).toMatchObject({ ok: true, checked: 20 });
  });

  it('names the first row edited directly in SQLite', async () => {
    for (let i = 0; i < 5; i++) await audit.append(entry('acct_A', `a.${i}`));
    const third = (await audit.page({ accountId: 'acct_A', limit: 10 })).find((e) => e.sequence === 3)!;
    await db.run("UPDATE audit_log SET outcome = 'denied' WHERE id = ?", [third.id]);
    const verdict = await audit.verify('acct_A');
    expect(verdict).toMatchObject({ ok: false, checked: 2, firstBroken: { id: third.id, sequence: 3 } });
  });

  it('detects a deleted row at the entry after it', async () => {
    for (let i = 0; i < 4; i++) await audit.append(entry('acct_A', `a.${i}`));
    const rows = await audit.page({ accountId: 'acct_A', limit: 10 });
    await db.run('DELETE FROM audit_log WHERE id = ?', [rows.find((e) => e.sequence === 2)!.id]);
    expect(await audit.verify('acct_A')).toMatchObject({ ok: false, firstBroken: { sequence: 3 } });
  });

  const rowsOf = (accountId: string) => db.all<Record<string, any>>('SELECT * FROM audit_log WHERE chain = ? ORDER BY sequence', [accountId]);

  it('reports the newest entries deleted (the sealed head names them), and keeps reporting after later appends', async () => {
    for (let i = 0; i < 5; i++) await audit.append(entry('acct_A', `a.${i}`));
    const newest = (await rowsOf('acct_A')).at(-1)!;
    await db.run('DELETE FROM audit_log WHERE id = ?', [newest.id]);
    const verdict = await audit.verify('acct_A');
    expect(verdict).toMatchObject({ ok: false, checked: 4, firstBroken: { id: newest.id, sequence: 5 } });
    // The next entry extends the sealed head, not the newest surviving row: the gap stays visible.
    await audit.append(entry('acct_A', 'a.after'));
    expect(await audit.verify('acct_A')).toMatchObject({ ok: false, firstBroken: { sequence: 6 } });
  });

  it('reports a row rewritten with every later hash recomputed (only the sealed head can tell)', async () => {
    for (let i = 0; i < 5; i++) await audit.append(entry('acct_A', `a.${i}`));
    // Rewrite entry 2 and re-chain 2..5 exactly as the server would: the chain itself is consistent again.
    let previous = (await rowsOf('acct_A'))[0]!.hash as string;
    for (const row of (await rowsOf('acct_A')).slice(1)) {
      const fields = {
        id: row.id,
        sequence: row.sequence,
        time: row.time,
        accountId: row.account_id,
        actorPrincipalId: row.actor_principal_id,
        keyId: row.key_id,
        action: row.sequence === 2 ? 'nothing.happened' : row.action,
        target: row.target,
        sourceIp: row.source_ip,
        outcome: row.outcome,
        detail: row.detail,
      };
      const hash = chainHash(previous, canonicalAuditEntry(fields));
      await db.run('UPDATE audit_log SET action = ?, previous_hash = ?, hash = ? WHERE id = ?', [fields.action, previous, hash, row.id]);
      previous = hash;
    }
    const verdict = await audit.verify('acct_A');
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.firstBroken.reason).toMatch(/rewritten/);
  });

  it('reports a head that was edited, deleted, or moved back to an earlier entry', async () => {
    for (let i = 0; i < 3; i++) await audit.append(entry('acct_A', `a.${i}`));
    const [first] = await rowsOf('acct_A');
    await db.run('UPDATE audit_heads SET sequence = 1, entry_id = ?, hash = ? WHERE chain = ?', [first!.id, first!.hash, 'acct_A']);
    expect((await audit.verify('acct_A')).ok).toBe(false);
    await db.run('DELETE FROM audit_heads WHERE chain = ?', ['acct_A']);
    expect(await audit.verify('acct_A')).toMatchObject({ ok: false, firstBroken: { reason: expect.stringMatching(/head is missing/) } });
    // Appending over a missing head seals that fact in: it is reported from then on.
    await audit.append(entry('acct_A', 'a.later'));
    expect(await audit.verify('acct_A')).toMatchObject({ ok: false, firstBroken: { reason: expect.stringMatching(/found missing/) } });
  });

  it('seals chains written before heads existed once, then treats a missing head as tampering', async () => {
    for (let i = 0; i < 3; i++) await audit.append(entry('acct_A', `a.${i}`));
    // As a database from before migration 21 would look: entries, no heads, not yet adopted.
    await db.run('DELETE FROM audit_heads');
    await db.run("DELETE FROM settings WHERE name = 'audit_heads_adopted'");
    expect(await audit.sealUnsealedChains()).toBe(1);
    expect(await audit.verify('acct_A')).toMatchObject({ ok: true, checked: 3 });
    await db.run('DELETE FROM audit_heads');
    expect(await audit.sealUnsealedChains()).toBe(0);
    expect((await audit.verify('acct_A')).ok).toBe(false);
  });

  it('seals a genesis head for accounts without one once, then reports a wiped account chain as head_missing', async () => {
    await db.run("INSERT INTO accounts (id, name, created_at) VALUES ('acct_G', 'genesis', 0)");
    await db.run("INSERT INTO accounts (id, name, created_at) VALUES ('acct_H', 'sealed-on-create', 0)");
    await audit.sealGenesis('acct_H');
    // As a database from before genesis heads: an account with no entries and no head, not yet adopted.
    await db.run("DELETE FROM settings WHERE name = 'audit_genesis_heads_adopted'");
    expect(await audit.sealUnsealedChains()).toBe(1);
    expect(await audit.verify('acct_G')).toMatchObject({ ok: true, checked: 0 });
    await audit.append(entry('acct_G', 'g.0'));
    expect(await audit.verify('acct_G')).toMatchObject({ ok: true, checked: 1 });

    await db.run("DELETE FROM audit_log WHERE chain = 'acct_G'");
    await db.run("DELETE FROM audit_heads WHERE chain = 'acct_G'");
    // Start-up adoption happens once: it does not re-seal the wiped chain.
    expect(await audit.sealUnsealedChains()).toBe(0);
    expect(await audit.verify('acct_G')).toMatchObject({ ok: false, checked: 0, firstBroken: { reason: expect.stringMatching(/^head_missing/) } });
    await audit.append(entry('acct_G', 'g.after'));
    expect(await audit.verify('acct_G')).toMatchObject({ ok: false, firstBroken: { reason: expect.stringMatching(/found missing when entry 1/) } });
    // A chain sealed at its account's creation verifies empty.
    expect(await audit.verify('acct_H')).toMatchObject({ ok: true, checked: 0 });
  });

  it('walks a long chain in slices no longer than VERIFY_SLICE_ENTRIES and checks every entry', async () => {
    const total = 3 * VERIFY_SLICE_ENTRIES + 7;
    await db.transaction(async () => {
      for (let i = 0; i < total; i++) await audit.append(entry('acct_A', `a.${i}`));
    });
    const slices: number[] = [];
    expect(await audit.verify('acct_A', { onSlice: (n) => slices.push(n) })).toMatchObject({ ok: true, checked: total });
    expect(slices.reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.max(...slices)).toBeLessThanOrEqual(VERIFY_SLICE_ENTRIES);
  });

  it('walks entries appended while it runs, without calling them tampering', async () => {
    for (let i = 0; i < 1200; i++) await audit.append(entry('acct_A', `a.${i}`));
    const appended: Array<Promise<unknown>> = [];
    const appendDuringWalk = () => void appended.push(audit.append(entry('acct_A', 'a.concurrent')));
    const verdict = await audit.verify('acct_A', { sliceEntries: 100, onSlice: appendDuringWalk });
    expect(verdict.ok).toBe(true);
    // Checked as the chain stood when verification began; the next verification walks the rest.
    expect(verdict.checked).toBe(1200);
    await Promise.all(appended);
    expect(await audit.verify('acct_A')).toMatchObject({ ok: true, checked: 1200 + 12 });
  });
});
