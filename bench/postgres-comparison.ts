/**
 * `npm run bench -- --store=postgres`: every case against the control plane on SQLite (the
 * baseline), on PostgreSQL with one replica, and on PostgreSQL with two replicas behind a
 * round-robin client (autocannon spreading its connections over both URLs, as a load balancer
 * would), measured interleaved round by round (SQLite, PG×1, PG×2, SQLite, ...) so all three see
 * the same machine load. Ratios are against the SQLite run of the same invocation.
 *
 * Nothing is pinned: PostgreSQL's backends, two replicas and the load generator share the
 * machine's cores however the scheduler likes; pinning each to one of two cores would measure the
 * pinning. The PostgreSQL cluster is a throwaway one in a temp directory (BENCH_SETTINGS: fsync
 * on, commits not waiting for their WAL flush, like SQLite's synchronous=NORMAL).
 */
import type { BenchCase } from './control-plane';
import { type BenchRequest, type Measurement, measure } from './support/measure';
import { startBenchControlPlane, startPostgresReplicas } from './support/processes';
import { send } from './support/requests';
import { best, format, lowest, median, ms, rate } from './support/stats';

interface Target {
  readonly label: string;
  readonly urls: string | readonly string[];
  readonly request: BenchRequest;
}

function summary(label: string, rounds: readonly Measurement[], baseline: readonly Measurement[]): string {
  const perSecond = rounds.map((r) => r.requestsPerSecond);
  const basePerSecond = baseline.map((r) => r.requestsPerSecond);
  return (
    `  ${label.padEnd(16)} req/s median ${rate(median(perSecond))}  best ${rate(best(perSecond))}` +
    `  |  p99 median ${ms(median(rounds.map((r) => r.p99Ms)))}  best ${ms(lowest(rounds.map((r) => r.p99Ms)))}` +
    `  |  ratio to SQLite: median ${(median(perSecond) / median(basePerSecond)).toFixed(2)}, best ${(best(perSecond) / best(basePerSecond)).toFixed(2)}`
  );
}

export async function runPostgresComparison(cases: readonly BenchCase[], duration: number, roundCount: number): Promise<void> {
  const sqlite = await startBenchControlPlane();
  let replicas: Awaited<ReturnType<typeof startPostgresReplicas>> | undefined;
  try {
    replicas = await startPostgresReplicas(2);
    const postgres = replicas.first;
    for (const benchCase of cases) {
      const targets: Target[] = [];
      const sqliteRequest = await benchCase.prepare(sqlite);
      const postgresRequest = await benchCase.prepare(postgres);
      for (const [label, request, controlPlane] of [
        ['SQLite', sqliteRequest, sqlite],
        ['PostgreSQL', postgresRequest, postgres],
      ] as const) {
        const sample = await send(controlPlane, request);
        if (sample.status >= 300) throw new Error(`${benchCase.name} on ${label}: the control plane answered ${sample.status} ${sample.body}`);
      }
      targets.push({ label: 'SQLite', urls: sqlite.url, request: sqliteRequest });
      targets.push({ label: 'PostgreSQL ×1', urls: postgres.url, request: postgresRequest });
      targets.push({ label: 'PostgreSQL ×2', urls: replicas.urls, request: postgresRequest });
      // Warm every target up (JIT, page caches, pools) before measuring.
      for (const target of targets) await measure(target.urls, target.request, benchCase.connections, 1);
      process.stdout.write(
        `${benchCase.name}  [${benchCase.connections} connections, ${duration} s × ${roundCount} rounds interleaved (SQLite, PG×1, PG×2), not pinned]\n`,
      );
      const measured = new Map<string, Measurement[]>(targets.map((target) => [target.label, []]));
      for (let round = 1; round <= roundCount; round++) {
        const lines: string[] = [];
        for (const target of targets) {
          const result = await measure(target.urls, target.request, benchCase.connections, duration);
          measured.get(target.label)!.push(result);
          lines.push(`    round ${round}  ${target.label.padEnd(14)} ${format(result)}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      const baseline = measured.get('SQLite')!;
      process.stdout.write(`${targets.map((target) => summary(target.label, measured.get(target.label)!, baseline)).join('\n')}\n`);
    }
  } finally {
    await replicas?.stop();
    await sqlite.stop();
  }
}
