/**
 * Profiles the mint case: the built control plane under `node --cpu-prof`, pinned to CPU 0, and
 * autocannon (this process) on CPU 1 minting for BENCH_DURATION seconds; the .cpuprofile lands in
 * PROFILE_DIR and the hottest functions (self time) are printed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_MAIN, startControlPlaneProcess } from '../scripts/lib/node-process';
import { measure } from './support/measure';
import { createAsOwner } from './support/requests';
import { GENERATOR_CPU, SERVER_CPU, canPin, pinToCpu, processCpuMicros } from './support/cpu';

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? '5');
  const profileDir = process.env.PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'mint-profile-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'managed-bench-'));
  const pinned = canPin();
  if (pinned) pinToCpu(process.pid, GENERATOR_CPU);
  const controlPlane = await startControlPlaneProcess(
    dataDir,
    { MANAGED_RATE_LIMIT_PER_KEY: '10000000', MANAGED_RATE_LIMIT_ANONYMOUS: '10000000' },
    BUILT_MAIN,
    ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=200'],
  );
  if (pinned) pinToCpu(controlPlane.pid, SERVER_CPU);
  try {
    const minter = await createAsOwner(controlPlane, '/v1/keys', { name: 'bench-minter', scopes: ['keys:write', 'sites:read', 'deploys:*', 'logs:read'] });
    const request = {
      method: 'POST' as const,
      path: '/v1/keys',
      headers: { authorization: `Bearer ${minter.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench-key', preset: 'deploy-bot', ttl: '30d', ip_allowlist: ['10.0.0.0/8'] }),
    };
    await measure(controlPlane.url, request, 16, 1);
    const before = processCpuMicros(controlPlane.pid);
    const measured = await measure(controlPlane.url, request, 16, duration);
    const after = processCpuMicros(controlPlane.pid);
    const answered = measured.requestsPerSecond * duration;
    process.stdout.write(
      `${measured.requestsPerSecond.toFixed(0)} keys/s, p99 ${measured.p99Ms} ms, server CPU ${before !== undefined && after !== undefined ? Math.round((after - before) / answered) : '?'} µs/mint\n`,
    );
  } finally {
    await controlPlane.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${profileDir}`);
  summarize(join(profileDir, file));
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function, and inclusive time per function, from a .cpuprofile. */
function summarize(path: string): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const label = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    total += delta;
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + delta);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
    }
  });
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
  process.stdout.write(
    `profile ${path} (${(total / 1e6).toFixed(2)} s)\n--- self ---\n${top(self, 45).join('\n')}\n--- inclusive ---\n${top(inclusive, 70).join('\n')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
