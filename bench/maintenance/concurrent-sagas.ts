/**
 * `npm run bench:maintenance [-- --sagas 500 --cradles 50]`: N maintenance sagas on N jaegers of one shatterdome
 * at once, approved automatically through the `approve` update, on the native stack (Temporal dev server,
 * PostgreSQL database `fluxo_bench_maintenance`, recreated) with an in-process worker. Baseline in the same run: single
 * sagas one after another (no contention). Prints wall time, throughput, per-saga latency percentiles and the
 * ratio to the baseline; checks that every saga completed and nothing was over-allocated; adds the run to the
 * maintenance section of docs/BENCHMARKS.md (newest last).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { createMaintenanceActivities } from '../../src/activities/maintenance';
import { loadConfig } from '../../src/config';
import { migrate } from '../../src/stores/migrate';
import { createPostgresStore } from '../../src/stores/postgres';
import { percentile, runConcurrentSagas, type LoadResult } from '../../test/support/maintenance-load';

const ROOT = join(__dirname, '..', '..');
const BASELINE_RUNS = 5;

const { values } = parseArgs({
  options: {
    sagas: { type: 'string', default: '500' },
    cradles: { type: 'string', default: '50' },
  },
});
const sagas = Number(values.sagas);
const cradles = Number(values.cradles);

async function recreateDatabase(url: URL): Promise<void> {
  const admin = new PgClient({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${url.pathname.slice(1)}"`);
  } finally {
    await admin.end();
  }
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const summary = (result: LoadResult) => {
  const latencies = result.latenciesMs;
  return `p50 ${fmt(percentile(latencies, 50))}, p95 ${fmt(percentile(latencies, 95))}, p99 ${fmt(percentile(latencies, 99))}, max ${fmt(latencies[latencies.length - 1]!)}`;
};

/** Everything that must hold after a run; returns the violations. */
function violations(result: LoadResult, count: number): string[] {
  const found: string[] = [];
  if (result.outcomes.completed !== count) found.push(`outcomes ${JSON.stringify(result.outcomes)} (expected ${count} completed)`);
  if (result.worstBayHeadroom > 0) found.push(`a bay was over-allocated by ${result.worstBayHeadroom}`);
  if (result.lowestPartCount < 0) found.push(`a part count went to ${result.lowestPartCount}`);
  if (result.baysInUseAfter !== 0) found.push(`${result.baysInUseAfter} cradles still in use after the run`);
  const leftovers = Object.entries(result.partsAfter).filter(([sku, quantity]) => ['hull-plate', 'servo-actuator'].includes(sku) && quantity !== 0);
  if (leftovers.length) found.push(`parts left over (each should be consumed exactly): ${JSON.stringify(leftovers)}`);
  return found;
}

const SECTION_HEADING = '## Maintenance saga (`npm run bench:maintenance`)';

/** Adds a run at the end of the maintenance section (created at the end of the file if missing); other sections stay as they are. */
function addToSection(file: string, run: string): void {
  let text = '# Benchmarks\n\nResults of `npm run bench:*`, newest last within each section.\n';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // first benchmark ever: start the file
  }
  const lines = text.replace(/\n+$/, '').split('\n');
  const start = lines.indexOf(SECTION_HEADING);
  if (start === -1) {
    writeFileSync(file, `${lines.join('\n')}\n\n${SECTION_HEADING}\n\n${run}`);
    return;
  }
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const end = next === -1 ? lines.length : next;
  const before = lines.slice(0, end).join('\n').replace(/\n+$/, '');
  const after = next === -1 ? '' : `\n${lines.slice(end).join('\n')}\n`;
  writeFileSync(file, `${before}\n\n${run}${after}`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const base = loadConfig();
  const benchUrl = new URL(base.DATABASE_URL);
  benchUrl.pathname = '/fluxo_bench_maintenance';
  const config = loadConfig({ ...process.env, DATABASE_URL: benchUrl.toString(), TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'fluxo-test' });
  const load = loadavg()[0]!.toFixed(1);

  await recreateDatabase(benchUrl);
  const postgres = createPostgresStore(config);
  await migrate(postgres.pool());
  console.log(`bench:maintenance: bundling workflows; database ${benchUrl.pathname.slice(1)}, namespace ${config.TEMPORAL_NAMESPACE}`);
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const taskQueue = `bench-maintenance-${process.pid}-${Date.now()}`;
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowBundle,
    activities: createMaintenanceActivities({ postgres }, { ...config, MAINTENANCE_WORK_UNIT_MS: 0, MAINTENANCE_ALLOW_FAULT_INJECTION: false }),
  });

  const run = async () => {
    const baseline: number[] = [];
    for (let index = 0; index < BASELINE_RUNS; index++) {
      const single = await runConcurrentSagas({ client, pool: postgres.pool(), taskQueue, sagas: 1, bays: [1] });
      if (violations(single, 1).length) throw new Error(`baseline saga: ${violations(single, 1).join('; ')}`);
      baseline.push(single.latenciesMs[0]!);
    }
    baseline.sort((a, b) => a - b);
    console.log(`baseline: ${BASELINE_RUNS} single sagas, one at a time: p50 ${fmt(percentile(baseline, 50))}`);

    // Cradles spread over bays of five, so sagas both contend for rows and wait for free cradles.
    const bays = Array.from({ length: Math.ceil(cradles / 5) }, (_, index) => Math.min(5, cradles - index * 5));
    const result = await runConcurrentSagas({ client, pool: postgres.pool(), taskQueue, sagas, bays });
    return { baseline, result, bays };
  };
  let outcome;
  try {
    outcome = await worker.runUntil(run());
  } finally {
    await postgres.close();
    await connection.close();
    await workerConnection.close();
  }
  const { baseline, result, bays } = outcome;
  const problems = violations(result, sagas);
  const throughput = (sagas / (result.wallMs / 1000)).toFixed(1);
  const ratio = (percentile(result.latenciesMs, 50) / percentile(baseline, 50)).toFixed(1);
  console.log(`${sagas} concurrent sagas, ${cradles} cradles in ${bays.length} bays: wall ${fmt(result.wallMs)} (${throughput} sagas/s)`);
  console.log(`per-saga latency: ${summary(result)}; p50 is ${ratio}× the uncontended baseline`);
  console.log(`checks: ${problems.length ? `FAILED — ${problems.join('; ')}` : `all ${sagas} completed; worst bay headroom ${result.worstBayHeadroom} (≤ 0), lowest part count ${result.lowestPartCount} (≥ 0) over ${result.samples} samples; every cradle free and the exact stock consumed`}`);

  const section = [
    `### ${new Date().toISOString()} — ${sagas} sagas`,
    '',
    `Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, shared with other agents' tests and builds, i.e. loaded (load average ${load} at start).`,
    `Native stack (PostgreSQL, Temporal dev server on SQLite), one in-process worker; repair sagas (4 hull plates, 2 servos each),`,
    `automatic approval through the \`approve\` update as soon as each saga asks; crew work simulated as instant (MAINTENANCE_WORK_UNIT_MS=0);`,
    `${cradles} cradles in ${bays.length} bays, so most sagas queue for a free cradle (woken by a \`bayFreed\` signal when one frees up,`,
    `re-checking on their own every 30 s); parts stocked for exactly ${sagas} repairs. Load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    '| scenario | wall | throughput | per-saga latency | baseline (single saga, uncontended) | ratio (p50) |',
    '|---|---|---|---|---|---|',
    `| ${sagas} concurrent sagas | ${fmt(result.wallMs)} | ${throughput} sagas/s | ${summary(result)} | p50 ${fmt(percentile(baseline, 50))} over ${BASELINE_RUNS} runs | ${ratio}× |`,
    '',
    `Checks: ${problems.length ? `**FAILED** — ${problems.join('; ')}` : `✔ all ${sagas} completed; bays never over-allocated (worst headroom ${result.worstBayHeadroom}) and no part count below zero (lowest ${result.lowestPartCount}) over ${result.samples} samples; afterwards every cradle free and exactly the stock for ${sagas} repairs consumed.`}`,
    '',
  ].join('\n');
  addToSection(join(ROOT, 'docs', 'BENCHMARKS.md'), section);
  console.log(`bench:maintenance: results added to the maintenance section of docs/BENCHMARKS.md`);
  if (problems.length) process.exit(1);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:maintenance: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
