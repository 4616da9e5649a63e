/**
 * CPU time each part of the stack spends during a benchmark phase, from /proc (Linux): the Temporal dev server,
 * FerretDB and Neo4j (pids from the stack's pid files) and the benchmark's own process (API, worker and HTTP
 * client). On a machine shared with other work, throughput depends on what else runs; CPU per insight does not
 * (much), and `cores / total CPU per insight` is what the machine could do with nothing else running.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const SERVICES = { temporal: 'Temporal', mongo: 'FerretDB', neo4j: 'Neo4j' } as const;
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

function fluxoHome(): string {
  if (process.env.FLUXO_HOME) return process.env.FLUXO_HOME;
  return process.getuid?.() === 0 ? '/var/lib/fluxo' : join(homedir(), '.fluxo');
}

/** utime + stime of one process (all its threads) in ms, or null when it cannot be read. */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function pidOf(service: string): number | null {
  try {
    return Number(readFileSync(join(fluxoHome(), 'run', `${service}.pid`), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

export type CpuSample = Map<string, number>;

export function sampleCpu(): CpuSample {
  const sample: CpuSample = new Map();
  for (const [service, label] of Object.entries(SERVICES)) {
    const pid = pidOf(service);
    const used = pid === null ? null : cpuMs(pid);
    if (used !== null) sample.set(label, used);
  }
  sample.set('benchmark process', cpuMs(process.pid) ?? 0);
  return sample;
}

/** CPU ms per item for each part between two samples, and their total. */
export function cpuPerItem(before: CpuSample, after: CpuSample, items: number): { parts: Array<[string, number]>; total: number } {
  const parts: Array<[string, number]> = [];
  for (const [label, end] of after) {
    const start = before.get(label);
    if (start !== undefined) parts.push([label, (end - start) / items]);
  }
  return { parts, total: parts.reduce((sum, [, value]) => sum + value, 0) };
}

export const formatCpu = ({ parts, total }: ReturnType<typeof cpuPerItem>) =>
  `${parts.map(([label, value]) => `${label} ${value.toFixed(1)}`).join(', ')}; total ${total.toFixed(1)} ms`;
