/**
 * `npm run bench:consolidation`: the daily consolidation of one `data_ref` with 1M ledger entries across 10k
 * accounts, whole workflow wall time (completeness → partitions → reports_* refresh → Parquet → reconcile →
 * record), next to a baseline in the same run: one SQL GROUP BY into a table plus a COPY out of the day's rows
 * (psql, to a file). Also the worker's peak memory (this process runs the worker; its peak RSS is reported
 * next to the RSS before the workflow). Appends its section to docs/BENCHMARKS.md.
 *
 * Knobs: CONSOLIDATION_BENCH_ENTRIES (1_000_000), CONSOLIDATION_BENCH_ACCOUNTS (10_000),
 * CONSOLIDATION_BENCH_WRITE=0 (print only, docs untouched), and the
 * CONSOLIDATION_* settings of src/config.ts. Database: fluxo_bench_consolidation (recreated each run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { createConsolidationActivities } from '../../src/activities/consolidation';
import { loadConfig } from '../../src/config';
import { consolidationWorkflowId, type ConsolidationResult } from '../../src/domain/consolidation/run';
import { createStores } from '../../src/stores';
import { migrate } from '../../src/stores/migrate';
import { appendBenchmarkSection } from '../support/benchmarks-file';
import { databaseUrlOn, mib, recreateDatabase, seconds, timed } from '../support/bench-helpers';
import { describeCpu, measureCpu, type CpuSeconds } from './cpu';

const ENTRIES = Number(process.env.CONSOLIDATION_BENCH_ENTRIES ?? 1_000_000);
const ACCOUNTS = Number(process.env.CONSOLIDATION_BENCH_ACCOUNTS ?? 10_000);
const DATA_REF = '2026-01-15';
const DATABASE = 'fluxo_bench_consolidation';
const lake = mkdtempSync(join(tmpdir(), 'fluxo-bench-consolidation-'));
const tag = Date.now().toString(36);

const baseUrl = new URL(loadConfig().DATABASE_URL);
const databaseUrl = (name: string) => databaseUrlOn(baseUrl, name);
const config = loadConfig({
  ...process.env,
  TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
  DATABASE_URL: databaseUrl(DATABASE),
  STORAGE_BACKEND: 'local',
  STORAGE_LOCAL_DIR: lake,
  // No ledger buffers of this prefix: the completeness step asks them all and finds none running.
  LEDGER_BUFFER_ID_PREFIX: `bench-consolidation-${tag}`,
  LOG_LEVEL: 'warn',
});

const log = (line: string) => process.stdout.write(`bench:consolidation: ${line}\n`);



/** 1M entries of one day in 1000-entry batches (as the ledger's flush writes them), with their control rows. */
async function seed(pg: PgClient): Promise<void> {
  await pg.query(
    `INSERT INTO ledger_entries (request_id, account_id, amount_cents, direction, data_ref, description, content_hash, shard, batch_id, accepted_at, persisted_at)
     SELECT md5('bench-' || i)::uuid,
            'acc-' || lpad((abs(hashint4(i * 13)) % $2)::text, 6, '0'),
            1 + abs(hashint4(i)) % 5000000,
            CASE WHEN hashint4(i * 7) % 2 = 0 THEN 'credit' ELSE 'debit' END,
            $3::date,
            CASE WHEN i % 4 = 0 THEN 'pagamento #' || i END,
            md5(i::text),
            i % 8,
            'bench-batch-' || lpad((i / 1000)::text, 6, '0'),
            timestamptz '2026-01-15 12:00:00-03' + i * interval '10 milliseconds',
            timestamptz '2026-01-15 12:00:01-03' + (i / 1000) * interval '10 seconds'
     FROM generate_series(0, $1::int - 1) AS i`,
    [ENTRIES, ACCOUNTS, DATA_REF],
  );
  await pg.query(
    `INSERT INTO ledger_batches (batch_id, shard, received_count, entry_count, amount_sum_cents, credit_sum_cents, debit_sum_cents, checksum, flushed_at)
     SELECT batch_id, min(shard), count(*), count(*), sum(amount_cents),
            coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0),
            coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0),
            md5(string_agg(request_id::text || ':' || direction || ':' || amount_cents::text, ',' ORDER BY request_id)),
            max(persisted_at)
     FROM ledger_entries GROUP BY batch_id`,
  );
  // What autovacuum and the checkpointer would have done by 18:00: hint bits set, statistics current, the
  // seed's pages written out (else the checkpoint lands in whichever phase runs next), for both contenders alike.
  await pg.query('VACUUM ANALYZE ledger_entries');
  await pg.query('VACUUM ANALYZE ledger_batches');
  await pg.query('CHECKPOINT');
}

function psql(): string {
  for (const candidate of ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql']) if (existsSync(candidate)) return candidate;
  return 'psql';
}

/** The baseline: one GROUP BY into a table, then the day's rows COPYed out to a file. */
async function baseline(pg: PgClient): Promise<{ groupMs: number; copyMs: number; totalMs: number; bytes: number; cpu: CpuSeconds }> {
  await pg.query('DROP TABLE IF EXISTS bench_baseline_balances');
  const cpu = measureCpu();
  const group = await timed(() =>
    pg.query(
      `CREATE TABLE bench_baseline_balances AS
       SELECT account_id,
              coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0) AS credit_cents,
              coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0) AS debit_cents,
              count(*) AS entry_count
       FROM ledger_entries WHERE data_ref = $1::date GROUP BY account_id`,
      [DATA_REF],
    ),
  );
  const file = join(lake, 'baseline.csv');
  const copy = await timed(async () =>
    execFileSync(psql(), [databaseUrl(DATABASE), '-q', '-c', `\\copy (SELECT * FROM ledger_entries WHERE data_ref = '${DATA_REF}') TO '${file}' WITH (FORMAT csv)`]),
  );
  const used = cpu();
  const bytes = statSync(file).size;
  rmSync(file);
  return { groupMs: group.ms, copyMs: copy.ms, totalMs: group.ms + copy.ms, bytes, cpu: used };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  log(`database ${DATABASE}: recreating and seeding ${ENTRIES} entries across ${ACCOUNTS} accounts for ${DATA_REF}`);
  await recreateDatabase(baseUrl, DATABASE);
  const stores = createStores(config);
  await migrate(stores.postgres.pool());
  const pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  const seeded = await timed(() => seed(pg));
  log(`seeded in ${seconds(seeded.ms)} s`);

  log('bundling the workflows');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new TemporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const taskQueue = `bench-consolidation-${tag}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowBundle,
    activities: createConsolidationActivities(stores, config),
  });
  const running = worker.run();

  try {
    const first = await baseline(pg);
    log(`baseline: GROUP BY into a table ${seconds(first.groupMs)} s + COPY out ${seconds(first.copyMs)} s (${mib(first.bytes)} CSV) = ${seconds(first.totalMs)} s; ${describeCpu(first.cpu)}`);

    const rssBefore = process.memoryUsage().rss;
    const runs: { label: string; ms: number; result: ConsolidationResult; cpu: CpuSeconds }[] = [];
    for (const label of ['first run', 're-run (replaces the day)']) {
      const cpu = measureCpu();
      const run = await timed(
        () =>
          client.workflow.execute('consolidationWorkflow', {
            workflowId: `${consolidationWorkflowId(DATA_REF)}-bench-${tag}-${runs.length}`,
            taskQueue,
            args: [{ dataRef: DATA_REF, requestedBy: 'bench', requestId: `bench-${tag}` }],
          }) as Promise<ConsolidationResult>,
      );
      runs.push({ label, ms: run.ms, result: run.result, cpu: cpu() });
      const steps = run.result.steps.map((step) => `${step.step} ${seconds(step.durationMs)}`).join(', ');
      log(`workflow ${label}: ${seconds(run.ms)} s (${steps}); ${run.result.accounts} accounts, ${run.result.entries} entries, reconciled; ${describeCpu(runs.at(-1)!.cpu)}`);
    }
    const second = await baseline(pg);
    log(`baseline again: ${seconds(second.totalMs)} s; ${describeCpu(second.cpu)}`);
    const peakRss = process.resourceUsage().maxRSS * 1024;
    log(`worker process: RSS ${mib(rssBefore)} before the workflows, peak ${mib(peakRss)}`);

    const base = Math.min(first.totalMs, second.totalMs);
    const section = report({ startedAt, base, first, second, runs, rssBefore, peakRss, load: [loadAtStart, loadavg()[0]!] });
    if (process.env.CONSOLIDATION_BENCH_WRITE === '0') {
      process.stdout.write(section);
      return;
    }
    appendBenchmarkSection(section);
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await pg.end();
    await stores.close();
    await connection.close();
    await nativeConnection.close();
    rmSync(lake, { recursive: true, force: true });
  }
}

interface Report {
  startedAt: Date;
  base: number;
  first: Awaited<ReturnType<typeof baseline>>;
  second: Awaited<ReturnType<typeof baseline>>;
  runs: { label: string; ms: number; result: ConsolidationResult; cpu: CpuSeconds }[];
  rssBefore: number;
  peakRss: number;
  /** 1-minute load average at the start and the end: the machine is shared, and this says how much. */
  load: [number, number];
}

const cpuCells = (cpu: CpuSeconds) =>
  `${cpu.machine.toFixed(1)} (${cpu.worker.toFixed(1)}, ${cpu.postgres.toFixed(1)}, ${cpu.temporal.toFixed(1)})`;

function report(r: Report): string {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 1024 ** 3)} GiB`;
  const stepNames = r.runs[0]!.result.steps.map((step) => step.step);
  const lines = [
    '',
    `## Consolidation (bench:consolidation), ${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine}; PostgreSQL 15 and the Temporal dev server of the native stack; worker in the bench process.`,
    `Load average (1 min) ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end (${cpus().length} cores).`,
    `Data: ${ENTRIES.toLocaleString('en')} ledger entries of one data_ref across ${ACCOUNTS.toLocaleString('en')} accounts, in ${Math.ceil(ENTRIES / 1000)} ledger batches;`,
    `${config.CONSOLIDATION_PARTITIONS} partitions, ${config.CONSOLIDATION_CONCURRENCY} at a time, ${config.CONSOLIDATION_PARQUET_ROWS_PER_FILE.toLocaleString('en')} rows per Parquet part.`,
    '',
    '| what | wall time | vs baseline | CPU-s: machine (worker, PostgreSQL, Temporal) |',
    '|---|---:|---:|---|',
    `| baseline: GROUP BY into a table + COPY out of the rows (best of 2: ${seconds(r.first.totalMs)} s, ${seconds(r.second.totalMs)} s) | ${seconds(r.base)} s | 1.00× | ${cpuCells(r.first.cpu)}; ${cpuCells(r.second.cpu)} |`,
    ...r.runs.map((run) => `| workflow \`consolidacao-<data_ref>\`, ${run.label} | ${seconds(run.ms)} s | ${(run.ms / r.base).toFixed(2)}× | ${cpuCells(run.cpu)} |`),
    '',
    `Steps of the first run: ${stepNames.map((name, index) => `${name} ${seconds(r.runs[0]!.result.steps[index]!.durationMs)} s`).join(' · ')}.`,
    `Worker process memory: RSS ${mib(r.rssBefore)} before the workflows, peak ${mib(r.peakRss)} (seed budget: 8 GiB).`,
    `Targets (issue 5): whole workflow < 30 s and ≤ 3× the baseline.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:consolidation: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
