/**
 * CPU time spent by groups of processes (the API, the worker, the Temporal server, PostgreSQL) over a phase
 * of a benchmark, read from /proc: on a 2-core machine where every part shares the cores, CPU per entry says
 * where the time goes better than wall time does. Processes found at the start count from then, ones found at
 * the end that were not there count whole; one that both started and ended during the phase (a short-lived
 * PostgreSQL backend) is missed.
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
  const before = groups.map((group) => new Map(pids(group).map((pid) => [pid, cpuSeconds(pid)])));
  return () =>
    Object.fromEntries(
      groups.map((group, index) => {
        const started = before[index]!;
        // Processes there at the start count from then; ones that started since (a pool's new backend) count whole.
        const now = new Set([...started.keys(), ...pids(group)]);
        const seconds = [...now].reduce((sum, pid) => sum + Math.max(0, cpuSeconds(pid) - (started.get(pid) ?? 0)), 0);
        return [group.name, seconds];
      }),
    );
}

/** "api 37 µs, worker 66 µs, …" per unit of work. */
export function perUnit(cpu: Record<string, number>, units: number): string {
  return Object.entries(cpu)
    .map(([name, seconds]) => `${name} ${units > 0 ? Math.round((seconds * 1e6) / units) : 0} µs`)
    .join(', ');
}
