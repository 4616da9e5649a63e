/**
 * CPU time spent by groups of processes (the API, the worker, the Temporal server, PostgreSQL) over a phase
 * of a benchmark, read from /proc: on a 2-core machine where every part shares the cores, CPU per entry says
 * where the time goes better than wall time does. The processes are those found at the start: one that ends
 * during the phase (a PostgreSQL backend whose client left) drops out, one that starts is not counted.
 * Linux only; elsewhere the figures are zeros.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/**
 * A named group: the processes of a process group (`pgid`, e.g. a child spawned detached), whose command line
 * matches `pattern` (pgrep -f), or owned by `user`.
 */
export interface ProcessGroup {
  name: string;
  pgid?: number;
  pattern?: string;
  user?: string;
}

function pids(group: ProcessGroup): number[] {
  const args = group.pgid ? ['-g', String(group.pgid)] : group.user ? ['-u', group.user] : ['-f', group.pattern!];
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** utime + stime of a process, in seconds; 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Starts measuring; the returned function gives each group's CPU seconds since then. */
export function measureCpu(groups: ProcessGroup[]): () => Record<string, number> {
  const members = groups.map((group) => ({ name: group.name, pids: pids(group) }));
  const before = members.map(({ pids: list }) => list.map(cpuSeconds));
  return () =>
    Object.fromEntries(
      members.map(({ name, pids: list }, index) => [name, list.reduce((sum, pid, at) => sum + Math.max(0, cpuSeconds(pid) - before[index]![at]!), 0)]),
    );
}

/** "api 37 µs, worker 66 µs, …" per unit of work. */
export function perUnit(cpu: Record<string, number>, units: number): string {
  return Object.entries(cpu)
    .map(([name, seconds]) => `${name} ${units > 0 ? Math.round((seconds * 1e6) / units) : 0} µs`)
    .join(', ');
}
