/**
 * What the rest of the control plane calls to write the audit log (SPEC §6): successful changes
 * (mint, update, rotate, revoke, principal and membership changes, resource writes) and every
 * denied request (401, 403, and 404s caused by a constraint or the principal's reach).
 */
import type { AuditEntry } from '../domain/audit-chain';
import type { AuditRepository } from '../storage/audit-repository';

export type AuditOutcome = 'success' | 'denied';

export interface AuditEvent {
  readonly accountId: string | null;
  readonly actorPrincipalId: string | null;
  readonly keyId: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly sourceIp: string | null;
  readonly outcome: AuditOutcome;
  readonly detail: string | null;
}

export class AuditLog {
  constructor(private readonly repository: AuditRepository) {}

  record(event: AuditEvent, at: Date): AuditEntry {
    return this.repository.append({ ...event, time: at.toISOString() });
  }
}
