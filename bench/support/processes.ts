/**
 * Benchmark targets run in their own processes, so the load generator (autocannon, in the bench
 * process) does not share an event loop with the server it measures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlPlaneProcess, type RunningService, startControlPlaneProcess, startNodeService } from '../../scripts/lib/node-process';

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
