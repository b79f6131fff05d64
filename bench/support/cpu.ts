/**
 * Keeping the load generator off the server's CPU, and measuring what the server itself spent.
 *
 * On the 2-core development machine autocannon and the server would otherwise fight over both
 * cores, and the benchmark would partly measure the generator. With `taskset` (util-linux) the
 * servers are pinned to CPU 0 and the bench process (autocannon) to CPU 1, every thread included.
 * Without it (or with one CPU) nothing is pinned and the report says so.
 *
 * The machine is shared, so requests/s moves with everybody else's load. The server's own CPU time
 * per request (user + system, from /proc/<pid>/stat) moves much less, and is printed beside it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const SERVER_CPU = 0;
export const GENERATOR_CPU = 1;

export function canPin(): boolean {
  if (cpus().length < 2) return false;
  const probe = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  return probe.status === 0;
}

/** Pins every thread of `pid` to one CPU; throws when taskset refuses. */
export function pinToCpu(pid: number, cpu: number): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset could not pin ${pid} to CPU ${cpu}: ${result.stderr}`);
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system) `pid` has used so far, in microseconds; undefined without /proc. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces, so split after its closing paren).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return ((userTicks + systemTicks) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
