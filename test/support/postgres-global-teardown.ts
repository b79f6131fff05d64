/** jest globalTeardown: stops the PostgreSQL test cluster, if a test started one (test/support/postgres.ts). */
import { removeTestCluster } from './postgres';

export default async function globalTeardown(): Promise<void> {
  await removeTestCluster();
}
