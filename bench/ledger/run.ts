/**
 * `npm run bench:ledger`: the ledger's throughput and latency next to its baselines, in one run, on the
 * native stack (PostgreSQL + Temporal dev server), with the real API and worker processes:
 *   1. single-entry POST /v1/lancamentos under load vs a no-op Fastify handler (same load generator);
 *   2. N entries through POST /v1/lancamentos/batch, persisted entries/s, vs a raw COPY of the same rows;
 *   3. the naive peer: one workflow per entry;
 * and after each run: rows in PostgreSQL == entries accepted, no duplicates. Results are appended to
 * docs/BENCHMARKS.md. Smaller runs: LEDGER_BENCH_SECONDS, LEDGER_BENCH_BATCH_TOTAL, LEDGER_BENCH_NAIVE_ENTRIES;
 * load levels: LEDGER_BENCH_CONNECTIONS (default 64,256).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { createLedgerActivities } from '../../src/activities/ledger';
import { loadConfig } from '../../src/config';
import { ledgerFlushUpdate } from '../../src/domain/ledger/buffer';
import { bufferWorkflowId } from '../../src/domain/ledger/shard';
import { migrate } from '../../src/stores/migrate';
import { createPostgresStore } from '../../src/stores/postgres';
import { runLoad, type LoadReport } from './load';
import { appendBenchmarkSection } from '../support/benchmarks-file';
import { measureCpu, perUnit, type ProcessGroup } from '../support/process-cpu';

const ROOT = join(__dirname, '..', '..');
const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = number('LEDGER_BENCH_SECONDS', 30);
/** Load levels of the single-entry run: closed-loop connections, comma-separated. */
const CONNECTION_LEVELS = (process.env.LEDGER_BENCH_CONNECTIONS ?? '64,256').split(',').map(Number);
const BATCH_TOTAL = number('LEDGER_BENCH_BATCH_TOTAL', 1_000_000);
const BATCH_SIZE = number('LEDGER_BENCH_BATCH_SIZE', 1000);
const BATCH_CONCURRENCY = number('LEDGER_BENCH_BATCH_CONCURRENCY', 8);
const NAIVE_ENTRIES = number('LEDGER_BENCH_NAIVE_ENTRIES', 3000);
const NAIVE_CONCURRENCY = number('LEDGER_BENCH_NAIVE_CONCURRENCY', 64);

const tag = Date.now().toString(36);
// A database of its own, recreated each run (other benchmarks and test runs use theirs).
const DATABASE = 'fluxo_bench_ledger';
const DATABASE_URL = `postgresql://postgres@127.0.0.1:55432/${DATABASE}`;
const benchEnv: Record<string, string> = {
  TEMPORAL_NAMESPACE: 'default',
  DATABASE_URL,
  AUTH_MODE: 'none',
  QUOTA_REQUESTS: '0',
  LEDGER_RELAY_ENABLED: 'false',
  LEDGER_BUFFER_ID_PREFIX: `bench-ledger-${tag}`,
  LOG_LEVEL: 'warn',
};
const config = loadConfig({ ...process.env, ...benchEnv });
const children: ChildProcess[] = [];
const log = (line: string) => process.stdout.write(`bench:ledger: ${line}\n`);

function launch(entry: string, env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [entry], { cwd: ROOT, env: { ...process.env, ...benchEnv, ...env }, detached: true });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready.test(output)) {
        clearInterval(timer);
        resolve({ child, output: () => output });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${entry} exited: ${output.slice(-2000)}`));
      }
    }, 100);
  });
}

function stopAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the API at ${url} did not become healthy`);
}

async function freshDatabase(): Promise<void> {
  const admin = new PgClient({ connectionString: DATABASE_URL.replace(`/${DATABASE}`, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const store = createPostgresStore(config);
  await migrate(store.pool());
  await store.close();
}

let counter = 0;
function entry(): Record<string, unknown> {
  counter += 1;
  return {
    request_id: randomUUID(),
    account_id: `acc-${counter % 5000}`,
    amount: `${(counter % 99_999) + 1}.${String(counter % 100).padStart(2, '0')}`,
    direction: counter % 3 ? 'credit' : 'debit',
    data_ref: '2026-03-10',
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const load0 = loadavg()[0]!.toFixed(1);
  await freshDatabase();
  // A pool, not a client: the machine is shared, and a PostgreSQL restart must not end the run.
  const pg = new Pool({ connectionString: DATABASE_URL, max: 2 });
  pg.on('error', () => undefined);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new TemporalClient({ connection, namespace: 'default' });

  const count = async (sql: string): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return Number((await pg.query(sql)).rows[0].n);
      } catch (error) {
        if (attempt >= 30) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };
  const flushShards = () =>
    Promise.all(
      Array.from({ length: config.LEDGER_SHARDS }, (_, shard) =>
        temporal.workflow
          .getHandle(bufferWorkflowId(config.LEDGER_BUFFER_ID_PREFIX, shard))
          .executeUpdate(ledgerFlushUpdate, { args: [{ dataRef: '2026-03-10' }] })
          .catch(() => undefined),
      ),
    );
  const waitPersisted = async (expected: number, timeoutMs = 600_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await count('SELECT count(*) AS n FROM ledger_entries');
      if (rows >= expected || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const verify = async (accepted: number) => {
    const rows = await count('SELECT count(*) AS n FROM ledger_entries');
    const distinct = await count('SELECT count(DISTINCT request_id) AS n FROM ledger_entries');
    const controlled = await count('SELECT coalesce(sum(entry_count), 0) AS n FROM ledger_batches');
    return { rows, accepted, distinct, controlled, ok: rows === accepted && distinct === rows && controlled === rows };
  };
  const reset = () => pg.query('TRUNCATE ledger_entries, ledger_requests, ledger_batches, ledger_outbox');

  try {
    log(`machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${load0}`);
    const worker = await launch('src/workers/main.ts', { WORKER_TASK_QUEUES: 'ledger', LOG_LEVEL: 'info' }, /worker polling/);
    // The API logs each request at info: it runs at warn, on a port chosen here, and is ready when /health answers.
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    launch('src/api/main.ts', { API_PORT: String(apiPort) }, /$^/).catch(() => undefined);
    const apiChild = children[children.length - 1]!;
    await waitHealthy(apiUrl);
    const cpuGroups: ProcessGroup[] = [
      { name: 'API', pgid: apiChild.pid },
      { name: 'worker', pgid: worker.child.pid },
      { name: 'Temporal', pattern: 'temporal server start-dev' },
      { name: 'PostgreSQL', user: 'postgres' },
    ];
    const noop = await launch('bench/ledger/noop-server.ts', {}, /listening (http:\/\/[\d.:]+)/);
    const noopUrl = /listening (http:\/\/[\d.:]+)/.exec(noop.output())![1]!;
    void worker;

    // 1. Single-entry POSTs vs the no-op handler, at each load level.
    const sample = JSON.stringify(entry());
    // Warm-up: shard workflows start, connections open.
    await runLoad({ url: apiUrl, path: '/v1/lancamentos', connections: 8, seconds: 3, body: () => ({ text: JSON.stringify(entry()) }) });
    await flushShards();
    const singles: SingleRun[] = [];
    for (const connections of CONNECTION_LEVELS) {
      log(`no-op Fastify handler: ${SECONDS} s, ${connections} connections`);
      const baseline = await runLoad({ url: noopUrl, path: '/noop', connections, seconds: SECONDS, body: () => ({ text: sample }) });
      log(`  ${fmtLoad(baseline)}`);
      await reset();
      let accepted = 0;
      log(`POST /v1/lancamentos: ${SECONDS} s, ${connections} connections`);
      const cpu = measureCpu(cpuGroups);
      const single = await runLoad({
        url: apiUrl,
        path: '/v1/lancamentos',
        connections,
        seconds: SECONDS,
        body: () => ({ text: JSON.stringify(entry()), onAnswer: (status) => status === 202 && (accepted += 1) }),
      });
      const cpuPerEntry = perUnit(cpu(), accepted);
      log(`  ${fmtLoad(single)}; CPU per entry: ${cpuPerEntry}`);
      await flushShards();
      await waitPersisted(accepted);
      const check = await verify(accepted);
      log(`  check: ${JSON.stringify(check)}`);
      singles.push({ connections, baseline, single, check, cpuPerEntry });
    }

    // 2. The batch endpoint, to persisted rows.
    await reset();
    log(`POST /v1/lancamentos/batch: ${BATCH_TOTAL} entries in batches of ${BATCH_SIZE}, ${BATCH_CONCURRENCY} at a time`);
    const batchStarted = Date.now();
    const batchCpu = measureCpu(cpuGroups);
    let sent = 0;
    let batchAccepted = 0;
    let batchRetries = 0;
    await Promise.all(
      Array.from({ length: BATCH_CONCURRENCY }, async () => {
        while (sent < BATCH_TOTAL) {
          const size = Math.min(BATCH_SIZE, BATCH_TOTAL - sent);
          sent += size;
          let entries = Array.from({ length: size }, entry);
          while (entries.length > 0) {
            const response = await fetch(`${apiUrl}/v1/lancamentos/batch`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ entries }),
            });
            const body = (await response.json()) as { results?: { status: string }[] };
            const results = body.results ?? [];
            batchAccepted += results.filter((result) => result.status === 'accepted').length;
            entries = entries.filter((_, index) => results[index]?.status === 'unavailable' || !results[index]);
            if (entries.length > 0) {
              batchRetries += 1;
              await new Promise((resolve) => setTimeout(resolve, 500));
            }
          }
        }
      }),
    );
    const acceptedAfterMs = Date.now() - batchStarted;
    await flushShards();
    await waitPersisted(batchAccepted);
    const batchSeconds = (Date.now() - batchStarted) / 1000;
    const batchCpuPerEntry = perUnit(batchCpu(), batchAccepted);
    const batchCheck = await verify(batchAccepted);
    const batchRate = batchAccepted / batchSeconds;
    log(`  accepted in ${(acceptedAfterMs / 1000).toFixed(1)} s, persisted in ${batchSeconds.toFixed(1)} s: ${Math.round(batchRate)} entries/s (retried batches ${batchRetries})`);
    log(`  CPU per entry: ${batchCpuPerEntry}`);
    log(`  check: ${JSON.stringify(batchCheck)}`);

    // The same rows by raw COPY into a table shaped like ledger_entries (same keys and index).
    const csv = join(tmpdir(), `fluxo-bench-ledger-${tag}.csv`);
    execFileSync('psql', [DATABASE_URL, '-q', '-c', `\\copy (SELECT * FROM ledger_entries) TO '${csv}' CSV`]);
    await pg.query('CREATE TABLE bench_copy (LIKE ledger_entries INCLUDING ALL)');
    const copyStarted = Date.now();
    execFileSync('psql', [DATABASE_URL, '-q', '-c', `\\copy bench_copy FROM '${csv}' CSV`]);
    const copySeconds = (Date.now() - copyStarted) / 1000;
    const copyRows = await count('SELECT count(*) AS n FROM bench_copy');
    const copyRate = copyRows / copySeconds;
    log(`raw COPY of the same ${copyRows} rows: ${copySeconds.toFixed(1)} s, ${Math.round(copyRate)} rows/s`);
    await pg.query('DROP TABLE bench_copy');

    // 3. The naive peer: one workflow per entry.
    await reset();
    const naive = await runNaive(temporal);
    const naiveCheck = await verify(naive.completed);
    log(`naive (one workflow per entry): ${naive.completed} entries in ${naive.seconds.toFixed(1)} s: ${Math.round(naive.rate)} entries/s`);
    log(`  check: ${JSON.stringify(naiveCheck)}`);

    const report = markdown({
      startedAt,
      load0,
      singles,
      batch: { total: batchAccepted, seconds: batchSeconds, rate: batchRate, check: batchCheck, retries: batchRetries, cpuPerEntry: batchCpuPerEntry },
      copy: { rows: copyRows, seconds: copySeconds, rate: copyRate },
      naive: { ...naive, check: naiveCheck },
    });
    appendBenchmarkSection(report);
  } finally {
    stopAll();
    await pg.end();
    await connection.close();
  }
}

async function runNaive(temporal: TemporalClient): Promise<{ completed: number; seconds: number; rate: number }> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const taskQueue = `bench-ledger-naive-${tag}`;
  const postgres = createPostgresStore(config);
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: require.resolve('./naive-workflow'),
    activities: createLedgerActivities({ postgres }, config),
  });
  const running = worker.run();
  log(`naive peer: ${NAIVE_ENTRIES} workflows, ${NAIVE_CONCURRENCY} at a time`);
  const started = Date.now();
  let next = 0;
  let completed = 0;
  await Promise.all(
    Array.from({ length: NAIVE_CONCURRENCY }, async () => {
      while (next < NAIVE_ENTRIES) {
        next += 1;
        const body = entry();
        const requestId = body.request_id as string;
        await temporal.workflow.execute('naiveLedgerEntryWorkflow', {
          workflowId: `ledger-entry-${requestId}`,
          taskQueue,
          args: [
            {
              requestId,
              accountId: body.account_id,
              amount: body.amount,
              direction: body.direction,
              dataRef: body.data_ref,
              contentHash: 'naive',
              acceptedAt: Date.now(),
            },
          ],
        });
        completed += 1;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  worker.shutdown();
  await running;
  await nativeConnection.close();
  await postgres.close();
  return { completed, seconds, rate: completed / seconds };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const fmtLoad = (report: LoadReport) =>
  `${Math.round(report.perSecond)} req/s, p50 ${ms(report.p50)}, p95 ${ms(report.p95)}, p99 ${ms(report.p99)}, statuses ${JSON.stringify(report.statuses)}`;

interface SingleRun {
  connections: number;
  baseline: LoadReport;
  single: LoadReport;
  check: { ok: boolean; rows: number; accepted: number };
  cpuPerEntry: string;
}

function markdown(r: {
  startedAt: Date;
  load0: string;
  singles: SingleRun[];
  batch: { total: number; seconds: number; rate: number; check: { ok: boolean; rows: number }; retries: number; cpuPerEntry: string };
  copy: { rows: number; seconds: number; rate: number };
  naive: { completed: number; seconds: number; rate: number; check: { ok: boolean; rows: number } };
}): string {
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
  const check = (ok: boolean) => (ok ? 'rows = accepted, no duplicates ✔' : 'MISMATCH ✘');
  const latency = (report: LoadReport) => `p50 ${ms(report.p50)}, p95 ${ms(report.p95)}, p99 ${ms(report.p99)}`;
  const singleRows = r.singles.map(
    ({ connections, baseline, single, check: result }) =>
      `| single-entry \`POST /v1/lancamentos\`, ${single.seconds.toFixed(0)} s, ${connections} connections | ${Math.round(single.perSecond)} req/s ${result.accepted < single.requests ? ` (${Math.round(result.accepted / single.seconds)} accepted/s, the rest 503)` : ''}; ${latency(single)} | no-op Fastify: ${Math.round(baseline.perSecond)} req/s; ${latency(baseline)} | ${pct(single.perSecond, baseline.perSecond)} of no-op throughput | p95 < 80 ms at ≥ 40% |`,
  );
  const singleNotes = r.singles.map(
    ({ connections, single, check: result, cpuPerEntry }) =>
      `- single, ${connections} connections: ${check(result.ok)} (${result.rows} rows, ${result.accepted} accepted; statuses ${JSON.stringify(single.statuses)}); CPU per entry: ${cpuPerEntry}`,
  );
  return `
## Ledger (lançamentos) — \`npm run bench:ledger\`, ${r.startedAt.toISOString()}

Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, shared with other work (load average ${r.load0} at start).
Native stack (PostgreSQL, Temporal dev server on SQLite), real API and worker processes, ${config.LEDGER_SHARDS} shards,
flush size ${config.LEDGER_FLUSH_SIZE}, load generator: Node keep-alive HTTP, closed loop.

| scenario | result | baseline | ratio | target |
|---|---|---|---|---|
${singleRows.join('\n')}
| ${r.batch.total} entries via \`/v1/lancamentos/batch\` → persisted | ${Math.round(r.batch.rate)} entries/s (${r.batch.seconds.toFixed(1)} s) | raw \`COPY\` of the same rows: ${Math.round(r.copy.rate)} rows/s (${r.copy.seconds.toFixed(1)} s) | ${pct(r.batch.rate, r.copy.rate)} of COPY | ≥ 50k entries/s |
| naive peer: one workflow per entry | ${Math.round(r.naive.rate)} entries/s (${r.naive.completed} in ${r.naive.seconds.toFixed(1)} s) | — | batch path is ${(r.batch.rate / r.naive.rate).toFixed(1)}× the naive peer | ≥ 20× |

Checks after each run, and CPU time per accepted entry by process (from /proc, over the run):
${singleNotes.join('\n')}
- batch: ${check(r.batch.check.ok)} (${r.batch.check.rows} rows; ${r.batch.retries} batch calls retried after 503); CPU per entry: ${r.batch.cpuPerEntry}
- naive: ${check(r.naive.check.ok)} (${r.naive.check.rows} rows)
`;
}

// Whatever ends this process ends its API, worker and no-op server too.
process.on('exit', stopAll);
process.on('uncaughtException', (error) => {
  process.stderr.write(`bench:ledger: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

main().then(
  () => process.exit(0),
  (error: Error) => {
    stopAll();
    process.stderr.write(`bench:ledger: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
