/** jest globalSetup: see test/support/postgres.ts (the cluster itself starts when a test needs it). */
import { prepareTestClusterState } from './postgres';

export default async function globalSetup(): Promise<void> {
  await prepareTestClusterState();
}
