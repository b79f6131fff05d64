/**
 * What the rest of the control plane calls to write the audit log (docs/guides/api.md#audit): successful changes
 * (mint, update, rotate, revoke, principal and membership changes, resource writes) and every
 * denied request (401, 403, and 404s caused by a constraint or the principal's reach).
 */
import type { AuditEntry, AuditFields } from '../domain/audit-chain';
import type { AuditRepository } from '../storage/audit-repository';

export type AuditOutcome = 'success' | 'denied';

/**
 * An entry to append: the chain's fields less the time, which record() stamps. The outcome is
 * narrowed here: the chain stores any string (rows read back as written), writers use these two.
 */
export interface AuditEvent extends Omit<AuditFields, 'time'> {
  readonly outcome: AuditOutcome;
}

export class AuditLog {
  constructor(private readonly repository: AuditRepository) {}

  record(event: AuditEvent, at: Date): Promise<AuditEntry> {
    return this.repository.append({ ...event, time: at.toISOString() });
  }

  /**
   * Part of the caller's open transaction, with no savepoint of its own: a failure aborts the
   * caller's whole transaction (the change committer's, which rolls the change back with it).
   */
  recordInTransaction(event: AuditEvent, at: Date): Promise<AuditEntry> {
    return this.repository.appendInTransaction({ ...event, time: at.toISOString() });
  }
}
