/**
 * The database could not be reached, or gave up on this request for reasons of its own health
 * (connection lost, server shutting down, a lock or connection wait that timed out) rather than
 * because of the request. The HTTP layer answers it with 503 `database_unavailable` and
 * Retry-After instead of a 500: retrying later is the right move for the client.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${(cause as { message?: unknown }).message ?? String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}
