/**
 * Which store this jest project's control planes run on. `npm test` runs two jest projects
 * (jest.config.js): `sqlite`, every test on the embedded SQLite file, and `postgres`, the HTTP
 * suites, the services and the Terraform end-to-end tests again on a real PostgreSQL. The
 * postgres project names its store in MANAGED_TEST_STORE (test/support/postgres-store.setup.ts);
 * `startControlPlane` reads it through here.
 */
import { randomBytes } from 'node:crypto';
import type { StorageEngine } from '../../control-plane/src/storage/sql-database';
import { createTestDatabase } from './postgres';

export const TEST_STORE_ENV = 'MANAGED_TEST_STORE';

/** The store of the running jest project: `sqlite` unless the postgres project's setup named it. */
export function testStore(): StorageEngine {
  const named = process.env[TEST_STORE_ENV];
  if (named === undefined || named === '' || named === 'sqlite') return 'sqlite';
  if (named === 'postgres') return 'postgres';
  throw new Error(`${TEST_STORE_ENV} must be "sqlite" or "postgres", not ${JSON.stringify(named)}`);
}

export interface StoreEnvironment {
  /** What to add to the control plane's environment (nothing for SQLite: MANAGED_DATA_DIR is enough). */
  readonly env: Readonly<Record<string, string>>;
  /** Drops what was created for it (the PostgreSQL database). */
  release(): Promise<void>;
}

/**
 * The environment that puts one control plane on this project's store: on PostgreSQL a fresh,
 * empty database of the run's throwaway cluster and a pepper (required with a database URL).
 * When PostgreSQL is not installed this fails and says how to install it.
 */
export async function storeEnvironment(): Promise<StoreEnvironment> {
  if (testStore() === 'sqlite') return { env: {}, release: async () => undefined };
  const database = await createTestDatabase();
  return {
    env: { MANAGED_DATABASE_URL: database.url, MANAGED_PEPPER: randomBytes(32).toString('base64url') },
    release: () => database.drop(),
  };
}
