/**
 * CPU time each part of the stack spends during a benchmark phase, from /proc (Linux): the Temporal dev server,
 * FerretDB and Neo4j (pids from the stack's pid files) and the benchmark's own process (API, worker and HTTP
 * client). On a machine shared with other work, throughput depends on what else runs; CPU per insight does not
 * (much), and `cores / total CPU per insight` is what the machine could do with nothing else running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fluxoHome } from '../../scripts/stack/context';
import { readProcessCpuSeconds } from '../support/process-cpu';

const SERVICES = { temporal: 'Temporal', mongo: 'FerretDB', neo4j: 'Neo4j' } as const;

/** utime + stime of one process (all its threads) in ms, or null when it cannot be read. */
function cpuMs(pid: number): number | null {
  const seconds = readProcessCpuSeconds(pid);
  return seconds === null ? null : seconds * 1000;
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
