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

/** The pids `pgrep <args>` finds; none when nothing matches (pgrep then exits 1). */
export function pgrep(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * utime + stime of a process in seconds (plus its reaped children's cutime + cstime with `withReapedChildren`:
 * a server's ended workers); null when it cannot be read (gone, or not Linux).
 */
export function readProcessCpuSeconds(pid: number, withReapedChildren = false): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Busy CPU-seconds of the whole machine since boot (/proc/stat: everything but idle and iowait); 0 elsewhere. */
export function machineCpuSeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal
    const busy = ticks.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + Number(value)), 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

const pids = (group: ProcessGroup) => pgrep(group.pgid ? ['-g', String(group.pgid)] : group.user ? ['-u', group.user] : ['-f', group.pattern!]);
const cpuSeconds = (pid: number) => readProcessCpuSeconds(pid) ?? 0;

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
