/**
 * `npm run bench:insights [-- --insights 10000 --concurrency 32 --baseline 1000 --samples 500]`
 *
 * Insight processing end to end on the native stack (Temporal dev server, FerretDB, Neo4j) with an in-process
 * API and `insights` worker, on a synthetic corpus (bench/insights/corpus.ts, seeded: the same every run):
 *
 * 1. baseline, same process: the first `--baseline` insights processed by calling the same activity functions
 *    directly (save → extract → graph → processed), at the same concurrency, into their own MongoDB database
 *    and graph scope: what the stores cost without HTTP and Temporal;
 * 1b. the Temporal ceiling, same process: `--baseline` empty workflows started by signal-with-start as the API
 *    starts `insight-<id>` (./temporal-ceiling.ts): the most one workflow per insight allows on this server;
 * 2. end to end: `--insights` POST /v1/insights at `--concurrency`, until every document is `processed`
 *    (throughput from the first request to the last `processed_at`; per-insight latency created → processed);
 * 3. `GET /v1/insights/{id}/related?limit=10` latency over `--samples` insights of the full corpus, beside two
 *    baselines: `GET /v1/insights/{id}` (one MongoDB read by `_id`) and the related query alone (Neo4j);
 * 4. the nightly recomputation over the whole corpus (timed), then related insights of a sample checked
 *    against the TypeScript formula over every document (the graph must agree with it exactly).
 *
 * Everything goes to MongoDB database INSIGHTS_BENCH_DATABASE (default `fluxo_bench_insights`) and the graph
 * scope of the same name, never the tests' or development's; both are wiped before and (unless `--keep`)
 * after. Results are appended to docs/BENCHMARKS.md.
 */
import { BENCH_DATABASE } from './env';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createInsightActivities } from '../../src/activities/insights';
import { createInsightReadModel } from '../../src/api/insights/read-model';
import { buildApp } from '../../src/api/app';
import { loadConfig, type Config } from '../../src/config';
import { normalizeTags } from '../../src/domain/insights/insight';
import { topRelated } from '../../src/domain/insights/related-score';
import { insightCollections, type InsightDocument } from '../../src/domain/insights/store-layout';
import type { InsightChange } from '../../src/domain/insights/workflow';
import { createStores, type Stores } from '../../src/stores';
import { connectTemporal } from '../../src/stores/temporal';
import { createWorkers } from '../../src/workers/run-workers';
import { BENCH_ID_PREFIX, benchInsightId, generateCorpus, type BenchInsight } from './corpus';
import { appendBenchmarkSection } from '../support/benchmarks-file';
import { inPool as pool } from '../support/bench-helpers';
import { cpuPerItem, formatCpu, sampleCpu } from './cpu';
import { temporalCeiling } from './temporal-ceiling';
import { ensureInsightIndexes } from '../../src/activities/insights/schema';

const { values } = parseArgs({
  options: {
    insights: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '32' },
    baseline: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '500' },
    'skip-recompute': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    /** A smoke run: print the section, do not append it to docs/BENCHMARKS.md. */
    'no-report': { type: 'boolean', default: false },
    'timeout-minutes': { type: 'string', default: '90' },
  },
});
const TOTAL = Number(values.insights);
const CONCURRENCY = Number(values.concurrency);
const BASELINE = Math.min(Number(values.baseline), TOTAL);
const SAMPLES = Math.min(Number(values.samples), TOTAL);
const SEED = 9;
const DATABASE = BENCH_DATABASE;
const DIRECT_DATABASE = `${DATABASE}_direct`;

const log = (line: string) => console.log(`bench:insights: ${line}`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
};
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;

/**
 * Wipes one bench database and graph scope, in batches: a scope holds tens of thousands of nodes, and Neo4j
 * caps one transaction's memory (db.memory.transaction.max, 128 MiB here): insights go first, 250 at a time
 * (each takes ~40 edges with it), which leaves tags and keywords without edges.
 */
async function wipe(stores: Pick<Stores, 'mongo' | 'neo4j'>, scope: string): Promise<void> {
  if (!scope.startsWith('fluxo_bench_')) throw new Error(`refusing to wipe ${scope}: not a bench database`);
  for (const name of Object.values(insightCollections)) await stores.mongo.collection(name).deleteMany({});
  for (const label of ['Insight', 'Keyword', 'Tag', 'User']) {
    for (;;) {
      const rows = await stores.neo4j.write<{ deleted: number }>(
        `MATCH (n:${label}) WHERE n.scope = $scope WITH n LIMIT 250 DETACH DELETE n RETURN count(*) AS deleted`,
        { scope },
      );
      if ((rows[0]?.deleted ?? 0) < 250) break;
    }
  }
}

const documentsOf = (stores: Pick<Stores, 'mongo'>) => stores.mongo.collection<InsightDocument>(insightCollections.insights);

/** What Temporal's retry policy does for the workflow path: a failed step is tried again (up to 5 times). */
async function retried<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** Baseline: the workflow's steps as plain function calls (each retried like an activity), no HTTP, no Temporal. */
async function directBaseline(corpus: BenchInsight[]) {
  const config = loadConfig({ ...process.env, MONGODB_DATABASE: DIRECT_DATABASE, INSIGHTS_GRAPH_SCOPE: DIRECT_DATABASE });
  const stores = createStores(config);
  try {
    await wipe(stores, DIRECT_DATABASE);
    await ensureInsightIndexes(stores.mongo);
    const activities = createInsightActivities(stores, config);
    const latencies: number[] = [];
    const cpuBefore = sampleCpu();
    const started = Date.now();
    await pool(corpus.slice(0, BASELINE), CONCURRENCY, async (item, index) => {
      const t0 = performance.now();
      const insightId = benchInsightId(SEED + 1, index);
      const change: InsightChange = {
        changeId: `create:${insightId}`,
        kind: 'create',
        content: { title: item.title, content: item.content, tags: normalizeTags(item.tags), source: 'bench' },
        receivedAt: new Date().toISOString(),
        context: { requestId: 'bench', principal: 'bench' },
      };
      const saved = await retried(() => activities.saveInsightDocument({ insightId, userId: item.user_id, change }));
      if (saved.outcome !== 'ready') throw new Error(`baseline save: ${saved.outcome}`);
      const extracted = await retried(() => activities.extractInsightKeywords({ title: item.title, content: item.content, tags: change.content!.tags }));
      const written = await retried(() => activities.writeInsightGraph({
        insightId,
        revision: saved.revision,
        userId: saved.userId,
        title: item.title,
        tags: change.content!.tags,
        keywords: extracted.keywords,
        createdAt: saved.createdAt,
        updatedAt: saved.updatedAt,
      }));
      await retried(() => activities.markInsightProcessed({
        insightId,
        revision: saved.revision,
        keywords: extracted.keywords,
        entities: extracted.entities,
        terms: extracted.terms,
        related: written.related.map(({ id, score }) => ({ id, score })),
      }));
      latencies.push(performance.now() - t0);
    });
    const wallMs = Date.now() - started;
    const cpu = cpuPerItem(cpuBefore, sampleCpu(), BASELINE);
    if (!values.keep) await wipe(stores, DIRECT_DATABASE);
    return { wallMs, rate: BASELINE / (wallMs / 1000), latency: stats(latencies), cpu };
  } finally {
    await stores.close();
  }
}

async function post(url: string, body: unknown): Promise<{ status: number; retries: number }> {
  let retries = 0;
  for (;;) {
    try {
      const response = await fetch(`${url}/v1/insights`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await response.arrayBuffer();
      if (response.status < 500 || retries >= 5) return { status: response.status, retries };
    } catch (error) {
      if (retries >= 5) throw error;
    }
    retries++;
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** retries));
  }
}

async function endToEnd(stores: Stores, client: Client, url: string, corpus: BenchInsight[]) {
  const documents = documentsOf(stores);
  const statuses: Record<number, number> = {};
  let retries = 0;
  const cpuBefore = sampleCpu();
  const started = Date.now();
  await pool(corpus, CONCURRENCY, async (item, index) => {
    const result = await post(url, { id: benchInsightId(SEED, index), ...item });
    statuses[result.status] = (statuses[result.status] ?? 0) + 1;
    retries += result.retries;
  });
  const postedMs = Date.now() - started;
  log(`${TOTAL} POSTs answered in ${seconds(postedMs)} (${(TOTAL / (postedMs / 1000)).toFixed(0)} req/s): ${JSON.stringify(statuses)}`);

  // Progress from Temporal's visibility, not MongoDB: on FerretDB a count is a full scan (seconds at this
  // size) that would compete with the workers' writes and slow down what is being measured.
  const deadline = started + Number(values['timeout-minutes']) * 60_000;
  const running = `WorkflowType = 'insightWorkflow' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH 'insight-${BENCH_ID_PREFIX}'`;
  await new Promise((resolve) => setTimeout(resolve, 5000));
  let lastReport = 0;
  for (;;) {
    // The Temporal server is shared and may be restarted by someone else's test meanwhile: a failed count is
    // asked again next round (the worker's own polls retry by themselves).
    let count: number;
    try {
      ({ count } = await client.workflow.count(running));
    } catch (error) {
      log(`counting running workflows failed (${(error as Error).message}); asking again`);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      continue;
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(`${TOTAL - count}/${TOTAL} insight workflows finished, ${seconds(Date.now() - started)} in`);
    }
    if (count === 0) break;
    if (Date.now() > deadline) throw new Error(`timed out with ${count} insight workflows still running`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  const cpu = cpuPerItem(cpuBefore, sampleCpu(), TOTAL);
  const docs = await documents.find({}, { projection: { status: 1, created_at: 1, processed_at: 1 } }).toArray();
  const done = docs.filter((doc) => doc.status === 'processed' && doc.processed_at);
  const finishedAt = done.map((doc) => doc.processed_at!.getTime()).sort((a, b) => a - b);
  const wallMs = finishedAt[finishedAt.length - 1]! - started;
  const firstBaselineMs = finishedAt[BASELINE - 1]! - started;
  return {
    statuses,
    retries,
    postedMs,
    wallMs,
    rate: done.length / (wallMs / 1000),
    firstBaselineRate: BASELINE / (firstBaselineMs / 1000),
    failed: docs.length - done.length,
    /** Accepted (202) but without a document once every workflow finished. */
    missing: TOTAL - docs.length,
    cpu,
    latency: stats(done.map((doc) => doc.processed_at!.getTime() - doc.created_at.getTime())),
  };
}

/** Related latency over HTTP, with the document read and the graph query alone as baselines. */
async function relatedLatency(stores: Stores, config: Config, url: string) {
  const readModel = createInsightReadModel(stores, config);
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % TOTAL;
  const ids = Array.from({ length: SAMPLES }, () => benchInsightId(SEED, next()));
  const timed = async (work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    return performance.now() - t0;
  };
  const getJson = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
    return response.json() as Promise<{ related?: unknown[] }>;
  };
  for (const id of ids.slice(0, 50)) await getJson(`/v1/insights/${id}/related?limit=10`); // warm-up
  const related: number[] = [];
  const document: number[] = [];
  const graphOnly: number[] = [];
  let relatedCount = 0;
  for (const id of ids) {
    related.push(await timed(async () => (relatedCount += (await getJson(`/v1/insights/${id}/related?limit=10`)).related!.length)));
    document.push(await timed(() => getJson(`/v1/insights/${id}`)));
    graphOnly.push(await timed(() => readModel.related(id, 10)));
  }
  return { related: stats(related), document: stats(document), graphOnly: stats(graphOnly), meanRelated: relatedCount / ids.length };
}

/** Related insights of `count` sampled insights against the TypeScript formula over every document. */
async function checkRelated(stores: Stores, url: string, count: number) {
  const docs = await documentsOf(stores).find({}, { projection: { tags: 1, keywords: 1 } }).toArray();
  const scorable = docs.map((doc) => ({ id: doc._id, tags: doc.tags ?? [], keywords: doc.keywords ?? [] }));
  const byId = new Map(scorable.map((doc) => [doc.id, doc]));
  let identical = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = benchInsightId(SEED, Math.floor((i * TOTAL) / count));
    const body = (await (await fetch(`${url}/v1/insights/${id}/related?limit=10`)).json()) as { related: Array<{ id: string; score: number }> };
    const expected = topRelated(byId.get(id)!, scorable, 10);
    const same =
      body.related.length === expected.length &&
      body.related.every((item, k) => item.id === expected[k]!.id && Math.abs(item.score - expected[k]!.score) < 1e-5);
    if (same) identical++;
    else if (mismatches.length < 3) mismatches.push(`${id}: api ${body.related.map((r) => `${r.id.slice(-6)}:${r.score}`).join(',')} vs formula ${expected.map((r) => `${r.id.slice(-6)}:${r.score}`).join(',')}`);
  }
  return { identical, count, mismatches };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const loadAtStart = loadavg().map((value) => value.toFixed(1)).join(' ');
  const corpus = generateCorpus(TOTAL, SEED);
  log(`corpus of ${TOTAL} insights; database and graph scope ${DATABASE}; namespace ${config.TEMPORAL_NAMESPACE}; load ${loadAtStart}`);

  log(`baseline: ${BASELINE} insights through the activity functions directly, concurrency ${CONCURRENCY}`);
  const baseline = await directBaseline(corpus);
  log(`baseline: ${baseline.rate.toFixed(1)} insights/s (${seconds(baseline.wallMs)}); per insight p50 ${ms(baseline.latency.p50)}, p95 ${ms(baseline.latency.p95)}; CPU per insight: ${formatCpu(baseline.cpu)}`);

  const stores = createStores(config);
  await wipe(stores, DATABASE);
  await ensureInsightIndexes(stores.mongo);
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workerStores = createStores(config);
  const [worker] = await createWorkers({ config, connection: workerConnection, stores: workerStores, workflowBundle, taskQueues: ['insights'] });
  const temporal = await connectTemporal(config);
  const client = temporal.client;
  const app = await buildApp({ config, temporal: client, temporalHealth: temporal, stores, logger: pino({ level: 'silent' }) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  log(`Temporal ceiling: ${BASELINE} empty workflows through signal-with-start, concurrency ${CONCURRENCY}`);
  const ceiling = await temporalCeiling(config, client, BASELINE, CONCURRENCY);
  log(`Temporal ceiling: ${ceiling.rate.toFixed(1)} workflows/s (${seconds(ceiling.wallMs)}); CPU per workflow: ${formatCpu(ceiling.cpu)}`);

  const running = worker!.run();
  let results;
  try {
    log(`end to end: ${TOTAL} insights over HTTP, concurrency ${CONCURRENCY}`);
    const e2e = await endToEnd(stores, client, url, corpus);
    log(`end to end: ${e2e.rate.toFixed(1)} insights/s (${seconds(e2e.wallMs)}); created → processed p50 ${seconds(e2e.latency.p50)}, p95 ${seconds(e2e.latency.p95)}; ${e2e.failed} failed, ${e2e.missing} missing; CPU per insight: ${formatCpu(e2e.cpu)}`);
    const before = await checkRelated(stores, url, 50);
    log(`related vs formula before the recomputation: ${before.identical}/${before.count} identical`);
    const latency = await relatedLatency(stores, config, url);
    log(`related over HTTP: p50 ${ms(latency.related.p50)}, p95 ${ms(latency.related.p95)} (mean ${latency.meanRelated.toFixed(1)} results); document GET p50 ${ms(latency.document.p50)}, p95 ${ms(latency.document.p95)}; graph query alone p50 ${ms(latency.graphOnly.p50)}, p95 ${ms(latency.graphOnly.p95)}`);
    let recompute: { wallMs: number; result: Record<string, number> } | null = null;
    let after: Awaited<ReturnType<typeof checkRelated>> | null = null;
    if (!values['skip-recompute']) {
      log('nightly recomputation over the whole corpus');
      const t0 = Date.now();
      const result = (await client.workflow.execute('insightsRecomputeWorkflow', {
        workflowId: `insights-recompute-bench-${Date.now()}`,
        taskQueue: 'insights',
        args: [{}],
      })) as Record<string, number>;
      recompute = { wallMs: Date.now() - t0, result };
      after = await checkRelated(stores, url, 50);
      log(`recomputation: ${seconds(recompute.wallMs)} ${JSON.stringify(result)}; related vs formula after it: ${after.identical}/${after.count} identical`);
    }
    results = { e2e, before, latency, recompute, after };
  } finally {
    await app.close();
    worker!.shutdown();
    await running.catch(() => undefined);
    // A failed run keeps its data, so what went wrong can be looked at (the next run wipes it first).
    if (!values.keep && results) await wipe(stores, DATABASE).catch((error) => log(`cleanup failed: ${String(error)}`));
    else if (!results) log(`run failed: database and graph scope ${DATABASE} kept for inspection`);
    await stores.close();
    await workerStores.close();
    await temporal.close();
    await workerConnection.close();
  }

  const { e2e, before, latency, recompute, after } = results;
  const checks: string[] = [];
  if (e2e.failed > 0) checks.push(`${e2e.failed} insights not processed`);
  if (e2e.missing > 0) checks.push(`${e2e.missing} accepted insights without a document`);
  if (after && after.identical !== after.count) checks.push(`related after the recomputation differs from the formula for ${after.count - after.identical}/${after.count}: ${after.mismatches.join(' | ')}`);
  const loadAtEnd = loadavg().map((value) => value.toFixed(1)).join(' ');
  const section = [
    `## Insights — \`npm run bench:insights\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, shared with other agents' builds, tests and benchmarks (load average ${loadAtStart} at start, ${loadAtEnd} at end). Throughput here depends on that load; CPU per insight much less (the Temporal server's figure includes whatever other namespaces ran meanwhile: an upper bound).`,
    `Native stack: Temporal dev server (SQLite), FerretDB 1.24 (SQLite), Neo4j 5.26 Community; API and one \`insights\` worker in the benchmark's process (default worker settings).`,
    `FerretDB's \`_id\` lookups use the index the stack's launcher adds to every collection (scripts/stack/ferretdb/idindex.go; FerretDB's own \`_id_\` index is on an expression its SQLite queries do not use).`,
    `Corpus: ${TOTAL} synthetic insights (bench/insights/corpus.ts, seed ${SEED}: 40 topics, 40–90 words, 1–4 tags with Zipf popularity, 1000 users); concurrency ${CONCURRENCY}.`,
    '',
    '| measure | result | baseline (same process) | ratio | target |',
    '|---|---|---|---|---|',
    `| ingestion end to end (POST → workflow → MongoDB + Neo4j → processed) | ${e2e.rate.toFixed(1)} insights/s (${TOTAL} in ${seconds(e2e.wallMs)}); first ${BASELINE}: ${e2e.firstBaselineRate.toFixed(1)}/s | activity functions called directly, first ${BASELINE}: ${baseline.rate.toFixed(1)}/s | ${(e2e.firstBaselineRate / baseline.rate).toFixed(2)}× (first ${BASELINE}) | ≥ 100/s |`,
    `| Temporal ceiling: an empty workflow per insight (signal-with-start, completes on the signal; bench/insights/empty-workflow.ts), ${BASELINE} | ${ceiling.rate.toFixed(1)} workflows/s | — | end to end (first ${BASELINE}) is ${(e2e.firstBaselineRate / ceiling.rate).toFixed(2)}× it | — |`,
    `| CPU per empty workflow | ${formatCpu(ceiling.cpu)} → at most ${((cpus().length * 1000) / ceiling.cpu.total).toFixed(0)} workflows/s on ${cpus().length} idle cores | — | — | — |`,
    `| CPU per insight (utime + stime from /proc over the phase) | ${formatCpu(e2e.cpu)} → at most ${((cpus().length * 1000) / e2e.cpu.total).toFixed(0)} insights/s on ${cpus().length} idle cores | direct: ${formatCpu(baseline.cpu)} | — | — |`,
    `| created → processed, per insight | p50 ${seconds(e2e.latency.p50)}, p95 ${seconds(e2e.latency.p95)} (backlog included: all ${TOTAL} POSTed in ${seconds(e2e.postedMs)}) | direct, per insight: p50 ${ms(baseline.latency.p50)}, p95 ${ms(baseline.latency.p95)} | — | — |`,
    `| \`GET /v1/insights/{id}/related?limit=10\` at ${TOTAL} insights (${SAMPLES} samples, sequential) | p50 ${ms(latency.related.p50)}, p95 ${ms(latency.related.p95)}, p99 ${ms(latency.related.p99)} | \`GET /v1/insights/{id}\`: p50 ${ms(latency.document.p50)}, p95 ${ms(latency.document.p95)}; graph query alone: p50 ${ms(latency.graphOnly.p50)}, p95 ${ms(latency.graphOnly.p95)} | ${(latency.related.p95 / latency.document.p95).toFixed(2)}× the document GET (p95) | p95 < 50 ms |`,
    ...(recompute
      ? [`| nightly recomputation of ${TOTAL} insights (pages of 500) | ${seconds(recompute.wallMs)}: ${recompute.result.keywordsChanged} keyword sets and ${recompute.result.relatedChanged} related sets changed, ${recompute.result.runs} runs | — | — | — |`]
      : []),
    '',
    `Checks: ${checks.length ? `**FAILED** — ${checks.join('; ')}` : `✔ all ${TOTAL} processed (HTTP ${JSON.stringify(e2e.statuses)}, ${e2e.retries} retried POSTs)`}; related insights identical to the formula over all documents for ${before.identical}/${before.count} sampled insights before the recomputation${after ? ` and ${after.identical}/${after.count} after it` : ''}.`,
    '',
  ].join('\n');
  if (values['no-report']) console.log(`\n${section}`);
  else {
    appendBenchmarkSection(section);
    log('results appended to docs/BENCHMARKS.md');
  }
  if (checks.length) process.exit(1);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:insights: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
