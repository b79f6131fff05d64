import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Db, openDatabase } from '../../../control-plane/src/storage/database';
import { AuditRepository } from '../../../control-plane/src/storage/audit-repository';
import { auditSealKey } from '../../../control-plane/src/domain/audit-chain';

describe('AuditRepository', () => {
  let dir: string;
  let db: Db;
  let audit: AuditRepository;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-repo-'));
    db = openDatabase(dir);
    audit = new AuditRepository(db, auditSealKey(Buffer.alloc(32, 7)));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = (accountId: string | null, action: string) => ({
    time: new Date(0).toISOString(),
    accountId,
    actorPrincipalId: null,
    keyId: null,
    action,
    target: null,
    sourceIp: '127.0.0.1',
    outcome: 'success',
    detail: null,
  });

  it('keeps one chain per account and pages newest first', async () => {
    for (let i = 0; i < 5; i++) audit.append(entry('acct_A', `a.${i}`));
    audit.append(entry('acct_B', 'b.0'));
    audit.append(entry(null, 'system.0'));
    const first = audit.page({ accountId: 'acct_A', limit: 2 });
    expect(first.map((e) => e.action)).toEqual(['a.4', 'a.3', 'a.2']);
    const next = audit.page({ accountId: 'acct_A', limit: 2, beforeSequence: first[1]!.sequence });
    expect(next.map((e) => e.action)).toEqual(['a.2', 'a.1', 'a.0']);
    expect(audit.page({ accountId: 'acct_B', limit: 10 }).map((e) => e.sequence)).toEqual([1]);
    expect(await audit.verify('acct_A')).toMatchObject({ ok: true, checked: 5 });
  });

  it('names the first row edited directly in SQLite', async () => {
    for (let i = 0; i < 5; i++) audit.append(entry('acct_A', `a.${i}`));
    const third = audit.page({ accountId: 'acct_A', limit: 10 }).find((e) => e.sequence === 3)!;
    db.prepare("UPDATE audit_log SET outcome = 'denied' WHERE id = ?").run(third.id);
    const verdict = await audit.verify('acct_A');
    expect(verdict).toMatchObject({ ok: false, checked: 2, firstBroken: { id: third.id, sequence: 3 } });
  });

  it('detects a deleted row at the entry after it', async () => {
    for (let i = 0; i < 4; i++) audit.append(entry('acct_A', `a.${i}`));
    const rows = audit.page({ accountId: 'acct_A', limit: 10 });
    db.prepare('DELETE FROM audit_log WHERE id = ?').run(rows.find((e) => e.sequence === 2)!.id);
    expect(await audit.verify('acct_A')).toMatchObject({ ok: false, firstBroken: { sequence: 3 } });
  });
});
