/**
 * Benchmark targets run in their own processes, so the load generator (autocannon, in the bench
 * process) does not share an event loop with the server it measures.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ControlPlaneProcess,
  type RunningService,
  startControlPlaneProcess,
  startControlPlaneReplica,
  startNodeService,
} from '../../scripts/lib/node-process';
import { BENCH_SETTINGS, createDatabase, prepareClusterParent, startCluster, stopAndRemoveCluster } from '../../scripts/lib/postgres-cluster';

export type { ControlPlaneProcess } from '../../scripts/lib/node-process';
export type BenchProcess = RunningService;

/** The control plane over a fresh data directory, removed when it stops. */
export async function startBenchControlPlane(): Promise<ControlPlaneProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'managed-bench-'));
  // One key and one address make all the load: limits far above what the machine can serve.
  const controlPlane = await startControlPlaneProcess(dataDir, { MANAGED_RATE_LIMIT_PER_KEY: '10000000', MANAGED_RATE_LIMIT_ANONYMOUS: '10000000' });
  return {
    ...controlPlane,
    stop: async () => {
      await controlPlane.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function startBaselineServer(status: number, body: string): Promise<BenchProcess> {
  return startNodeService('bench/support/baseline-server.ts', { ...process.env, BASELINE_STATUS: String(status), BASELINE_BODY: body });
}

/** PostgreSQL replicas of one control plane, on a throwaway cluster of the bench's own. */
export interface PostgresReplicas {
  /** The first replica, which bootstrapped: cases prepare through it. */
  readonly first: ControlPlaneProcess;
  /** Every replica's URL, the first included. */
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL cluster (scripts/lib/postgres-cluster.ts, BENCH_SETTINGS) and
 * `count` control-plane replicas on one database of it, each with its own data directory and the
 * same pepper, one after another (the first bootstraps and writes the owner key).
 */
export async function startPostgresReplicas(count: number): Promise<PostgresReplicas> {
  const clusterParent = mkdtempSync(join(tmpdir(), 'managed-bench-postgres-'));
  prepareClusterParent(clusterParent);
  const dataDirs: string[] = [];
  const replicas: RunningService[] = [];
  const stop = async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
    await stopAndRemoveCluster(clusterParent);
  };
  try {
    const clusterUrl = await startCluster(clusterParent, BENCH_SETTINGS);
    const env = {
      MANAGED_DATABASE_URL: await createDatabase(clusterUrl, 'managed_bench'),
      MANAGED_PEPPER: randomBytes(32).toString('base64url'),
      MANAGED_RATE_LIMIT_PER_KEY: '10000000',
      MANAGED_RATE_LIMIT_ANONYMOUS: '10000000',
    };
    let first: ControlPlaneProcess | undefined;
    for (let i = 0; i < count; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), `managed-bench-replica-${i + 1}-`));
      dataDirs.push(dataDir);
      const replica = await startControlPlaneReplica(dataDir, env);
      replicas.push(replica);
      if (i === 0) {
        if (!replica.bootstrapKeyFile) throw new Error('the first replica on a fresh database did not bootstrap');
        first = { ...replica, ownerKey: readFileSync(replica.bootstrapKeyFile, 'utf8').trim() };
      }
    }
    return { first: first!, urls: replicas.map((replica) => replica.url), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
