/**
 * `npm run bench`: the control plane against a bare node:http server answering the same JSON,
 * case by case, in the same run. Each case says how to prepare its request against a running
 * control plane; add a case by appending to CASES.
 *
 * Environment: BENCH_DURATION (seconds per measurement, default 5), BENCH_CASES (comma-separated
 * case names to run, default all).
 */
import { BenchRequest, Measurement, measure } from './support/measure';
import { ControlPlaneProcess, startBaselineServer, startBenchControlPlane } from './support/processes';
import { createAsOwner, send } from './support/requests';
import { constrainedSiteReadCase } from './cases/constrained-site-read';

export interface BenchCase {
  readonly name: string;
  readonly connections: number;
  /** Creates whatever the case needs and returns the request to repeat. */
  prepare(controlPlane: ControlPlaneProcess): Promise<BenchRequest>;
}

export const CASES: BenchCase[] = [
  {
    name: 'POST /v1/keys (mint)',
    connections: 16,
    prepare: async (controlPlane) => {
      const minter = await createAsOwner(controlPlane, '/v1/keys', { name: 'bench-minter', scopes: ['keys:write', 'sites:read', 'deploys:*', 'logs:read'] });
      return {
        method: 'POST',
        path: '/v1/keys',
        headers: { authorization: `Bearer ${minter.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench-key', preset: 'deploy-bot', ttl: '30d', ip_allowlist: ['10.0.0.0/8'] }),
      };
    },
  },
  {
    name: 'GET /v1/whoami',
    connections: 64,
    prepare: async (controlPlane) => {
      const key = await createAsOwner(controlPlane, '/v1/keys', { name: 'bench-reader', preset: 'read-only' });
      return { method: 'GET', path: '/v1/whoami', headers: { authorization: `Bearer ${key.secret}` } };
    },
  },
  constrainedSiteReadCase,
];

const format = (m: Measurement) =>
  `${m.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${String(m.p50Ms).padStart(4)} ms  p99 ${String(m.p99Ms).padStart(4)} ms` +
  (m.non2xx + m.errors > 0 ? `  (non-2xx ${m.non2xx}, errors ${m.errors})` : '');

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? '5');
  const selected = process.env.BENCH_CASES?.split(',').map((s) => s.trim());
  const cases = selected ? CASES.filter((c) => selected.includes(c.name)) : CASES;
  const controlPlane = await startBenchControlPlane();
  const rows: string[] = [];
  try {
    for (const benchCase of cases) {
      const request = await benchCase.prepare(controlPlane);
      const sample = await send(controlPlane, request);
      if (sample.status >= 300) throw new Error(`${benchCase.name}: the control plane answered ${sample.status} ${sample.body}`);
      const baseline = await startBaselineServer(sample.status, sample.body);
      try {
        // Warm both up (JIT, SQLite page cache) before measuring.
        await measure(controlPlane.url, request, benchCase.connections, 1);
        await measure(baseline.url, request, benchCase.connections, 1);
        const measured = await measure(controlPlane.url, request, benchCase.connections, duration);
        const bare = await measure(baseline.url, request, benchCase.connections, duration);
        const ratio = measured.requestsPerSecond / bare.requestsPerSecond;
        rows.push(
          `${benchCase.name}  [${benchCase.connections} connections, ${duration}s]`,
          `  control plane  ${format(measured)}`,
          `  bare node:http ${format(bare)}`,
          `  ratio (control plane / bare) ${ratio.toFixed(2)}`,
        );
        process.stdout.write(`${rows.slice(-4).join('\n')}\n`);
      } finally {
        await baseline.stop();
      }
    }
  } finally {
    await controlPlane.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
