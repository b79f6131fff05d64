/**
 * A request that failed because the database is unavailable (storage/database-unavailable.ts)
 * answers 503 `database_unavailable` with Retry-After, as /readyz does, and logs one short line:
 * the stack of a lost connection says nothing about the request.
 */
import { ApiError } from '../domain/errors';
import { DatabaseUnavailableError } from '../storage/database-unavailable';

/** Seconds a client should wait; the same as /readyz's. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The 503 for `error` when it is a database outage (logged in one line), or undefined. */
export function databaseUnavailableProblem(error: unknown, method: string, path: string): ApiError | undefined {
  if (!(error instanceof DatabaseUnavailableError)) return undefined;
  const cause = (error.cause as { message?: unknown } | undefined)?.message ?? String(error.cause);
  process.stderr.write(`database unavailable on ${method} ${path}: ${cause}\n`);
  return new ApiError({
    code: 'database_unavailable',
    detail: 'The database is unavailable; retry later.',
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}
