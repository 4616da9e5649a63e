/**
 * `npm run bench:catalog`: a 1M-row catalog CSV imported, snapshotted, verified and published by the catalog
 * publish workflow (worker in this process), next to a baseline in the same run: a raw PostgreSQL `COPY` of
 * the same CSV into a plain table (psql \copy). Also: the upload of the CSV to object storage (what
 * POST /v1/catalogo/sync does before starting the workflow), a second run with the same file (every row
 * unchanged: same snapshot bytes), a publish without import (the nightly `catalogo-snapshot`), per-step times
 * from the workflow history, and the process's peak RSS. Appends its section to docs/BENCHMARKS.md.
 *
 * Knobs: CATALOG_BENCH_ROWS (1_000_000), CATALOG_BENCH_WRITE=0 (print only, docs untouched), and the
 * CATALOG_* settings of src/config/catalog.ts. Database: fluxo_bench_catalog (recreated each run).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Client as TemporalClient, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { createCatalogActivities } from '../../src/activities/catalog';
import { loadConfig } from '../../src/config';
import { catalogPublishWorkflowId, type CatalogPublishInput, type CatalogPublishResult } from '../../src/domain/catalog/publish';
import { catalogKeys } from '../../src/domain/catalog/storage-layout';
import { createStores } from '../../src/stores';
import { migrate } from '../../src/stores/migrate';
import { appendBenchmarkSection } from '../support/benchmarks-file';
import { databaseUrlOn, mib, recreateDatabase, seconds, timed } from '../support/bench-helpers';

const ROWS = Number(process.env.CATALOG_BENCH_ROWS ?? 1_000_000);
const DATABASE = 'fluxo_bench_catalog';
const work = mkdtempSync(join(tmpdir(), 'fluxo-bench-catalog-'));
const tag = Date.now().toString(36);
const CATALOG_ID = `bench-${tag}`;

const baseUrl = new URL(loadConfig().DATABASE_URL);
const databaseUrl = (name: string) => databaseUrlOn(baseUrl, name);
const config = loadConfig({
  ...process.env,
  TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
  DATABASE_URL: databaseUrl(DATABASE),
  STORAGE_BACKEND: 'local',
  STORAGE_LOCAL_DIR: join(work, 'storage'),
  CATALOG_EVENTS_ENABLED: 'false',
  LOG_LEVEL: 'warn',
});

const log = (line: string) => process.stdout.write(`bench:catalog: ${line}\n`);



/**
 * The CSV: ROWS items in shuffled sku order (the snapshot must sort them), quoted names with commas, JSON
 * attributes on every fourth row, CRLF line ends, and a 0.05 % sprinkle of bad prices (reported, not applied).
 */
async function writeCsv(file: string): Promise<{ bytes: number; invalid: number }> {
  const out = createWriteStream(file);
  out.write('sku,name,price,category,active,attributes\r\n');
  let invalid = 0;
  const stride = 7919; // prime: i * stride mod ROWS visits every row once, in scrambled order
  for (let start = 0; start < ROWS; start += 10_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(start + 10_000, ROWS); i++) {
      const n = (i * stride) % ROWS;
      const bad = n % 2000 === 1999;
      if (bad) invalid += 1;
      const price = bad ? `${n}.999` : `${(n % 99_999) + 0.5}`;
      const attributes = n % 4 === 0 ? `"{""color"":""c${n % 17}"",""size"":${n % 5}}"` : '';
      lines.push(`SKU-${String(n).padStart(8, '0')},"Item ${n}, catalog bench",${price},cat-${n % 97},${n % 10 === 0 ? 'false' : 'true'},${attributes}\r\n`);
    }
    if (!out.write(lines.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes: statSync(file).size, invalid };
}

function psql(): string {
  for (const candidate of ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql']) if (existsSync(candidate)) return candidate;
  return 'psql';
}

/** The baseline: the same file COPYed into a plain table with the same columns and primary key. */
async function baseline(pg: PgClient, file: string): Promise<number> {
  await pg.query('DROP TABLE IF EXISTS bench_raw_catalog');
  await pg.query(`CREATE TABLE bench_raw_catalog (sku text COLLATE "C" PRIMARY KEY, name text NOT NULL, price text NOT NULL,
    category text NOT NULL, active boolean NOT NULL, attributes text)`);
  const copy = await timed(async () =>
    execFileSync(psql(), [config.DATABASE_URL, '-q', '-c', `\\copy bench_raw_catalog FROM '${file}' WITH (FORMAT csv, HEADER)`]),
  );
  await pg.query('DROP TABLE bench_raw_catalog');
  return copy.ms;
}

/** Activity durations (scheduled → completed, retries included) from the workflow's history. */
async function stepTimes(handle: WorkflowHandle): Promise<Record<string, number>> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const times: Record<string, number> = {};
  const millis = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    if (event.activityTaskScheduledEventAttributes) {
      scheduled.set(id, { type: event.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: millis(event.eventTime) });
    }
    const done = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
    if (done) {
      const start = scheduled.get(String(done.scheduledEventId));
      if (start) times[start.type] = (times[start.type] ?? 0) + millis(event.eventTime) - start.at;
    }
  }
  return times;
}

interface Run {
  label: string;
  ms: number;
  result: CatalogPublishResult;
  steps: Record<string, number>;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  log(`database ${DATABASE}: recreating; writing a ${ROWS.toLocaleString('en')}-row CSV`);
  await recreateDatabase(baseUrl, DATABASE);
  const stores = createStores(config);
  await migrate(stores.postgres.pool());
  const pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  const csvFile = join(work, 'catalog.csv');
  const csv = await writeCsv(csvFile);
  log(`CSV: ${mib(csv.bytes)}, ${csv.invalid} rows with bad prices`);

  log('bundling the workflows');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new TemporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const taskQueue = `bench-catalog-${tag}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowBundle,
    activities: createCatalogActivities(stores, config),
  });
  const running = worker.run();

  const upload = async () => {
    const importId = randomUUID();
    const sourceKey = catalogKeys.importSource(CATALOG_ID, importId);
    const stored = await timed(() => stores.objectStorage.put(sourceKey, createReadStream(csvFile), { contentType: 'text/csv' }));
    return { importId, sourceKey, ms: stored.ms };
  };
  const publish = async (label: string, importRequest?: { importId: string; sourceKey: string }): Promise<Run> => {
    const input: CatalogPublishInput = { catalogId: CATALOG_ID, requestedBy: 'bench', requestId: `bench-${tag}`, ...(importRequest ? { import: importRequest } : {}) };
    const handle = await client.workflow.start('catalogPublishWorkflow', { workflowId: catalogPublishWorkflowId(CATALOG_ID), taskQueue, args: [input] });
    const run = await timed(() => handle.result() as Promise<CatalogPublishResult>);
    const steps = await stepTimes(handle);
    log(`${label}: ${seconds(run.ms)} s (${Object.entries(steps).map(([step, ms]) => `${step} ${seconds(ms)}`).join(', ')}); version ${run.result.version}, ${run.result.itemCount} items`);
    return { label, ms: run.ms, result: run.result, steps };
  };

  try {
    const firstCopy = await baseline(pg, csvFile);
    log(`baseline: COPY of the CSV into a table ${seconds(firstCopy)} s`);
    const rssBefore = process.memoryUsage().rss;

    const uploaded = await upload();
    log(`upload of the CSV to object storage: ${seconds(uploaded.ms)} s`);
    const runs: Run[] = [];
    runs.push(await publish('import + publish (new catalog)', uploaded));
    const again = await upload();
    runs.push(await publish('import + publish (same file again: every row unchanged)', again));
    runs.push(await publish('publish without import (the nightly snapshot)'));
    const sameBytes = runs.every((run) => run.result.sha256 === runs[0]!.result.sha256);
    log(`snapshot sha256 identical across the three versions: ${sameBytes}`);

    const secondCopy = await baseline(pg, csvFile);
    log(`baseline again: ${seconds(secondCopy)} s`);
    const peakRss = process.resourceUsage().maxRSS * 1024;
    log(`process: RSS ${mib(rssBefore)} before the workflows, peak ${mib(peakRss)}`);

    const section = report({ startedAt, loadAtStart, csv, firstCopy, secondCopy, uploadMs: uploaded.ms, runs, sameBytes, rssBefore, peakRss });
    if (process.env.CATALOG_BENCH_WRITE === '0') {
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
    rmSync(work, { recursive: true, force: true });
  }
}

interface Report {
  startedAt: Date;
  loadAtStart: number;
  csv: { bytes: number; invalid: number };
  firstCopy: number;
  secondCopy: number;
  uploadMs: number;
  runs: Run[];
  sameBytes: boolean;
  rssBefore: number;
  peakRss: number;
}

function report(r: Report): string {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 1024 ** 3)} GiB`;
  const base = Math.min(r.firstCopy, r.secondCopy);
  const first = r.runs[0]!;
  const order = ['importCatalogCsv', 'draftCatalogVersion', 'applyCatalogImport', 'buildCatalogSnapshot', 'verifyCatalogSnapshot', 'publishCatalogVersion', 'finishCatalogRun'];
  const stepLine = (run: Run) => order.filter((step) => run.steps[step] !== undefined).map((step) => `${step} ${seconds(run.steps[step]!)} s`).join(' · ');
  const lines = [
    '',
    `## Catalog publishing (bench:catalog), ${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine}; 1-minute load average ${r.loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (the machine is shared with other work: absolute times vary with it, ratios less so);`,
    'PostgreSQL 15 and the Temporal dev server of the native stack; worker in the bench process; local object storage.',
    `Data: ${ROWS.toLocaleString('en')} rows, ${mib(r.csv.bytes)} CSV (shuffled skus, quoted names with commas, JSON attributes, CRLF), ${r.csv.invalid} rows with bad prices (reported, not applied).`,
    '',
    '| what | wall time | vs baseline |',
    '|---|---:|---:|',
    `| baseline: raw \`COPY\` of the CSV into a table (best of 2: ${seconds(r.firstCopy)} s, ${seconds(r.secondCopy)} s) | ${seconds(base)} s | 1.00× |`,
    `| upload of the CSV to object storage (what POST /v1/catalogo/sync streams before starting) | ${seconds(r.uploadMs)} s | ${(r.uploadMs / base).toFixed(2)}× |`,
    ...r.runs.map((run) => `| workflow \`catalog-publish\`: ${run.label} | ${seconds(run.ms)} s | ${(run.ms / base).toFixed(2)}× |`),
    '',
    `Steps of the first run: ${stepLine(first)}.`,
    `Steps of the publish without import: ${stepLine(r.runs[2]!)}.`,
    `Snapshot: ${first.result.itemCount.toLocaleString('en')} items; the three versions' snapshots are ${r.sameBytes ? 'byte-identical (same sha256)' : 'NOT identical'}.`,
    `Process memory: RSS ${mib(r.rssBefore)} before the workflows, peak ${mib(r.peakRss)} (the worker streams; it never holds the file).`,
    `Target (issue 6): a 1M-row CSV imported, snapshotted, verified and published in < 60 s: ${first.ms < 60_000 ? 'met' : 'not met'} (${seconds(first.ms)} s).`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:catalog: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
