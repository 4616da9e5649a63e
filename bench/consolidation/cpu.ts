/**
 * CPU-seconds of a phase of bench:consolidation, by where they were spent: this process (the worker, with
 * DuckDB's threads), PostgreSQL (every server process, plus the backends that ended during the phase, which
 * the postmaster's reaped-children times hold: psql's backend for the baseline), the Temporal server, and the
 * whole machine (/proc/stat, so other work on a shared machine shows up as the gap to the sum).
 * On 2 cores the workflow's wall time is bounded below by its CPU-seconds / 2, which is why this is reported.
 * Linux only; elsewhere the figures are zeros.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export interface CpuSeconds {
  worker: number;
  postgres: number;
  temporal: number;
  machine: number;
}

function pgrep(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // nothing matched
  }
}

/** utime + stime (+ reaped children's cutime + cstime when `children`), seconds; 0 when the process is gone. */
function processSeconds(pid: number, children = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (children ? own + Number(fields[13]) + Number(fields[14]) : own) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function machineSeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait.
    const busy = ticks.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + Number(value)), 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function postgresSeconds(): Map<number, number> {
  const postmasters = new Set(pgrep(['-u', 'postgres', '-P', '1']));
  return new Map(pgrep(['-u', 'postgres']).map((pid) => [pid, processSeconds(pid, postmasters.has(pid))]));
}

function temporalSeconds(): Map<number, number> {
  return new Map(pgrep(['-f', 'temporal server start-dev']).map((pid) => [pid, processSeconds(pid)]));
}

const sinceThen = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, seconds]) => sum + Math.max(0, seconds - (before.get(pid) ?? 0)), 0);

/** Starts measuring; the returned function gives the CPU-seconds since then. */
export function measureCpu(): () => CpuSeconds {
  const worker = process.cpuUsage();
  const postgres = postgresSeconds();
  const temporal = temporalSeconds();
  const machine = machineSeconds();
  return () => {
    const used = process.cpuUsage(worker);
    return {
      worker: (used.user + used.system) / 1e6,
      postgres: sinceThen(postgres, postgresSeconds()),
      temporal: sinceThen(temporal, temporalSeconds()),
      machine: machineSeconds() - machine,
    };
  };
}

export const describeCpu = (cpu: CpuSeconds) =>
  `${cpu.machine.toFixed(1)} CPU-s on the machine (worker ${cpu.worker.toFixed(1)}, PostgreSQL ${cpu.postgres.toFixed(1)}, Temporal ${cpu.temporal.toFixed(1)})`;
