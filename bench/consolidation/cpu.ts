/**
 * CPU-seconds of a phase of bench:consolidation, by where they were spent: this process (the worker, with
 * DuckDB's threads), PostgreSQL (every server process, plus the backends that ended during the phase, which
 * the postmaster's reaped-children times hold: psql's backend for the baseline), the Temporal server, and the
 * whole machine (/proc/stat, so other work on a shared machine shows up as the gap to the sum).
 * On 2 cores the workflow's wall time is bounded below by its CPU-seconds / 2, which is why this is reported.
 * Linux only; elsewhere the figures are zeros.
 */
import { machineCpuSeconds, pgrep, readProcessCpuSeconds } from '../support/process-cpu';

export interface CpuSeconds {
  worker: number;
  postgres: number;
  temporal: number;
  machine: number;
}

const processSeconds = (pid: number, withReapedChildren = false) => readProcessCpuSeconds(pid, withReapedChildren) ?? 0;

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
  const machine = machineCpuSeconds();
  return () => {
    const used = process.cpuUsage(worker);
    return {
      worker: (used.user + used.system) / 1e6,
      postgres: sinceThen(postgres, postgresSeconds()),
      temporal: sinceThen(temporal, temporalSeconds()),
      machine: machineCpuSeconds() - machine,
    };
  };
}

export const describeCpu = (cpu: CpuSeconds) =>
  `${cpu.machine.toFixed(1)} CPU-s on the machine (worker ${cpu.worker.toFixed(1)}, PostgreSQL ${cpu.postgres.toFixed(1)}, Temporal ${cpu.temporal.toFixed(1)})`;
