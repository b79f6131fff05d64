/**
 * The audit chain on PostgreSQL under concurrent writers on two pools (two replicas' worth of
 * connections): appends lock the chain's head row (`FOR UPDATE`), and a chain without a head falls
 * back to the advisory lock until the first writer has created it (AuditRepository.readLockedHead).
 * Either way no two writers extend the same entry, and verification run while they write finds the
 * chain whole.
 */
import { auditSealKey } from '../../../../control-plane/src/domain/audit-chain';
import { AuditRepository, SYSTEM_CHAIN } from '../../../../control-plane/src/storage/audit-repository';
import { openPostgresDatabase } from '../../../../control-plane/src/storage/open-database';
import type { PostgresDatabase } from '../../../../control-plane/src/storage/postgres/postgres-database';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres';
import { auditFields } from '../../../support/audit-fields';

const entry = auditFields;

describe('audit chain writers on two PostgreSQL pools', () => {
  let database: TestDatabase;
  let replicaA: PostgresDatabase;
  let replicaB: PostgresDatabase;
  let auditA: AuditRepository;
  let auditB: AuditRepository;

  beforeEach(async () => {
    database = await createTestDatabase();
    replicaA = await openPostgresDatabase(database.url, 8);
    replicaB = await openPostgresDatabase(database.url, 8);
    const sealKey = auditSealKey(Buffer.alloc(32, 7));
    auditA = new AuditRepository(replicaA, sealKey);
    auditB = new AuditRepository(replicaB, sealKey);
  });
  afterEach(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await database?.drop();
  });

  it('a chain without a head: the first concurrent writers serialise on the advisory lock, the rest on the head row', async () => {
    const writes = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? auditA : auditB).append(entry(null, `system.${i}`)));
    const entries = await Promise.all(writes);
    expect(new Set(entries.map((written) => written.sequence)).size).toBe(40);
    expect(Math.max(...entries.map((written) => written.sequence))).toBe(40);
    await expect(auditA.verify(SYSTEM_CHAIN)).resolves.toMatchObject({ ok: true, checked: 40 });
  });

  it('appends inside callers’ transactions on both pools, verified while they write, leave one whole chain', async () => {
    await auditA.append(entry('acct_A', 'a.first')); // the head row now exists
    const writes = Array.from({ length: 40 }, (_, i) => {
      const [db, audit] = i % 2 === 0 ? [replicaA, auditA] : [replicaB, auditB];
      return db.transaction(() => audit.appendInTransaction(entry('acct_A', `a.${i}`)));
    });
    const verdicts = [auditA.verify('acct_A'), auditB.verify('acct_A')];
    await Promise.all(writes);
    for (const verdict of await Promise.all(verdicts)) expect(verdict).toMatchObject({ ok: true });
    await expect(auditB.verify('acct_A')).resolves.toMatchObject({ ok: true, checked: 41 });
  });

  it('appendInTransaction refuses to run outside a transaction', async () => {
    await expect(auditA.appendInTransaction(entry('acct_A', 'a.loose'))).rejects.toThrow(/inside db.transaction/);
  });
});
