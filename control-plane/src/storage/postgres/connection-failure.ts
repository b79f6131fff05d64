/**
 * Which node-postgres failures say "the database is unavailable" rather than "this statement is
 * wrong": they become DatabaseUnavailableError (storage/database-unavailable.ts), a 503.
 */
import { DatabaseError } from 'pg';
import { DatabaseUnavailableError } from '../database-unavailable';

/** SQLSTATEs of a server that is going away, not ready, or gave up waiting on another session. */
const UNAVAILABLE_SQLSTATES = new Set([
  '55P03', // lock_not_available: lock_timeout expired behind another session's lock
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '25P03', // idle_in_transaction_session_timeout ended this session
]);

/** Socket-level errno codes of a connection that could not be made or was cut. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Messages node-postgres and pg-pool use for a lost connection or a pool that could not connect in time. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Connection terminated due to connection timeout/,
];

export function isConnectionFailure(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors come from Node's own realm, which is not
  // always the realm of this module's `Error` (a vm context, as under jest).
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (error instanceof DatabaseError) {
    // Class 08: connection exception.
    return typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'));
  }
  if (typeof code === 'string' && UNAVAILABLE_ERRNO.has(code)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/** `error` as DatabaseUnavailableError when it is a connection-level failure; otherwise unchanged. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !isConnectionFailure(error)) return error;
  return new DatabaseUnavailableError(error);
}
