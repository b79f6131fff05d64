/**
 * `npm run bench`: the control plane against a bare node:http server answering the same JSON,
 * case by case, measured interleaved in the same run (control plane, bare, control plane, bare...)
 * so both see the same machine load. Each case says how to prepare its request against a running
 * control plane; add a case by appending to CASES. Servers run in their own processes; with
 * `taskset` they are pinned to CPU 0 and the load generator (autocannon, this process) to CPU 1.
 *
 * Environment: BENCH_DURATION (seconds per measurement, default 5), BENCH_ROUNDS (interleaved
 * rounds per case, default 3), BENCH_CASES (comma-separated case names to run, default all),
 * BENCH_PIN=0 (do not pin to CPUs).
 *
 * `npm run bench -- --store=postgres` runs the same cases against the control plane on SQLite, on
 * PostgreSQL with one replica, and with two replicas behind a round-robin client, interleaved
 * (bench/postgres-comparison.ts).
 */
import { BenchRequest, Measurement, measure } from './support/measure';
import { ControlPlaneProcess, startBaselineServer, startBenchControlPlane } from './support/processes';
import { createAsOwner, send } from './support/requests';
import { constrainedSiteReadCase } from './cases/constrained-site-read';
import { GENERATOR_CPU, SERVER_CPU, canPin, pinToCpu, processCpuMicros } from './support/cpu';
import { best, format, lowest, median, ms, rate } from './support/stats';
import { runPostgresComparison } from './postgres-comparison';

/** A steady trickle of requests sent to the control plane while a case floods it, to see who waits. */
export interface BenchProbe {
  readonly request: BenchRequest;
  readonly connections: number;
  /** Requests per second over all connections. */
  readonly rate: number;
}

export interface BenchCase {
  readonly name: string;
  readonly connections: number;
  /** Creates whatever the case needs and returns the request to repeat. */
  prepare(controlPlane: ControlPlaneProcess): Promise<BenchRequest>;
  /** Measured against the control plane during each of its measurements (not against the baseline). */
  readonly probe?: BenchProbe;
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
    // Unauthenticated catalog reads must not queue behind the mints (issue 8: p99 ≤ 50 ms).
    probe: { request: { method: 'GET', path: '/v1/scopes' }, connections: 2, rate: 100 },
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

interface Round {
  readonly measured: Measurement;
  /** Server CPU time (user + system) per answered request, when /proc is there. */
  readonly cpuMicrosPerRequest: number | undefined;
}

/** One measurement of `url` with the server's CPU time around it. */
async function measureRound(url: string, pid: number, request: BenchRequest, connections: number, duration: number): Promise<Round> {
  const cpuBefore = processCpuMicros(pid);
  const measured = await measure(url, request, connections, duration);
  const cpuAfter = processCpuMicros(pid);
  const answered = measured.requestsPerSecond * duration;
  return {
    measured,
    cpuMicrosPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && answered > 0 ? (cpuAfter - cpuBefore) / answered : undefined,
  };
}

function summary(label: string, rounds: readonly Round[]): string {
  const perSecond = rounds.map((r) => r.measured.requestsPerSecond);
  const cpu = rounds.map((r) => r.cpuMicrosPerRequest).filter((c): c is number => c !== undefined);
  return (
    `  ${label} req/s best ${rate(best(perSecond))}  median ${rate(median(perSecond))}  |  p99 best ${ms(lowest(rounds.map((r) => r.measured.p99Ms)))}` +
    `  median ${ms(median(rounds.map((r) => r.measured.p99Ms)))}` +
    (cpu.length > 0 ? `  |  server CPU ${Math.round(median(cpu))} µs/request (median)` : '')
  );
}

/** `--store=sqlite` (default) or `--store=postgres`; anything else is refused. */
function storeArgument(argv: readonly string[]): 'sqlite' | 'postgres' {
  let store = 'sqlite';
  for (const argument of argv) {
    const match = /^--store=(.*)$/.exec(argument);
    if (!match) throw new Error(`unknown argument "${argument}" (expected --store=sqlite or --store=postgres)`);
    store = match[1]!;
  }
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres, got "${store}"`);
  return store;
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? '5');
  const roundCount = Number(process.env.BENCH_ROUNDS ?? '3');
  const selected = process.env.BENCH_CASES?.split(',').map((s) => s.trim());
  const cases = selected ? CASES.filter((c) => selected.includes(c.name)) : CASES;
  if (storeArgument(process.argv.slice(2)) === 'postgres') {
    await runPostgresComparison(cases, duration, roundCount);
    return;
  }
  const pinned = process.env.BENCH_PIN !== '0' && canPin();
  if (pinned) pinToCpu(process.pid, GENERATOR_CPU);
  const placement = pinned ? `server on CPU ${SERVER_CPU}, autocannon on CPU ${GENERATOR_CPU}` : 'not pinned (no taskset or one CPU)';
  const controlPlane = await startBenchControlPlane();
  if (pinned) pinToCpu(controlPlane.pid, SERVER_CPU);
  try {
    for (const benchCase of cases) {
      const request = await benchCase.prepare(controlPlane);
      const sample = await send(controlPlane, request);
      if (sample.status >= 300) throw new Error(`${benchCase.name}: the control plane answered ${sample.status} ${sample.body}`);
      const baseline = await startBaselineServer(sample.status, sample.body);
      if (pinned) pinToCpu(baseline.pid, SERVER_CPU);
      try {
        // Warm both up (JIT, SQLite page cache) before measuring.
        await measure(controlPlane.url, request, benchCase.connections, 1);
        await measure(baseline.url, request, benchCase.connections, 1);
        process.stdout.write(`${benchCase.name}  [${benchCase.connections} connections, ${duration} s × ${roundCount} rounds interleaved, ${placement}]\n`);
        const ours: Round[] = [];
        const bare: Round[] = [];
        const probes: Measurement[] = [];
        for (let round = 1; round <= roundCount; round++) {
          const probe = benchCase.probe;
          const [measured, probed] = await Promise.all([
            measureRound(controlPlane.url, controlPlane.pid, request, benchCase.connections, duration),
            probe ? measure(controlPlane.url, probe.request, probe.connections, duration, { overallRate: probe.rate }) : undefined,
          ]);
          ours.push(measured);
          if (probed) probes.push(probed);
          bare.push(await measureRound(baseline.url, baseline.pid, request, benchCase.connections, duration));
          process.stdout.write(
            `    round ${round}: control plane ${format(measured.measured)}` +
              (probed ? `  [${probe!.request.method} ${probe!.request.path} p99 ${probed.p99Ms} ms]` : '') +
              `\n             bare node:http ${format(bare[bare.length - 1]!.measured)}\n`,
          );
        }
        const ourRates = ours.map((r) => r.measured.requestsPerSecond);
        const bareRates = bare.map((r) => r.measured.requestsPerSecond);
        const lines = [
          summary('control plane ', ours),
          summary('bare node:http', bare),
          `  ratio (control plane / bare): median ${(median(ourRates) / median(bareRates)).toFixed(3)}, best ${(best(ourRates) / best(bareRates)).toFixed(3)}`,
        ];
        if (benchCase.probe && probes.length > 0) {
          const p99s = probes.map((p) => p.p99Ms);
          lines.push(
            `  ${benchCase.probe.request.method} ${benchCase.probe.request.path} during the load (${benchCase.probe.rate} req/s): p99 best ${ms(lowest(p99s))}  median ${ms(median(p99s))}  worst ${ms(best(p99s))}`,
          );
        }
        process.stdout.write(`${lines.join('\n')}\n`);
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
