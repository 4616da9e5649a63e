/**
 * The shard buffer workflow on the dev server with the real flush activity and PostgreSQL: flushes by size
 * and by interval, de-duplicates, and continues-as-new under load (tiny history limit) losing nothing.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createLedgerActivities } from '../../src/activities/ledger';
import { loadConfig } from '../../src/config';
import {
  ledgerEntriesSignal,
  ledgerFlushUpdate,
  ledgerRetireUpdate,
  ledgerStatsQuery,
  type LedgerBufferInput,
  type LedgerBufferSettings,
} from '../../src/domain/ledger/buffer';
import type { BufferedEntry } from '../../src/domain/ledger/buffered-entry';
import { createPostgresStore } from '../../src/stores/postgres';
import { eventually } from '../support/app';
import { devServerEnv, testWorker, uniqueQueue } from '../support/temporal';

const config = loadConfig();
const postgres = createPostgresStore(config);
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  env = await devServerEnv();
  taskQueue = uniqueQueue('ledger-buffer');
  worker = await testWorker(env, { taskQueue, activities: createLedgerActivities({ postgres }, config) });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await postgres.close();
});

const baseSettings: LedgerBufferSettings = {
  flushSize: 1000,
  flushMaxBytes: 1_000_000,
  flushIntervalMs: 60_000,
  flushConcurrency: 2,
  historyEventsLimit: 10_000,
  historyBytesLimit: 8_000_000,
  carryMaxEntries: 1000,
  carryMaxBytes: 1_000_000,
};

function entries(count: number): BufferedEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    requestId: randomUUID(),
    accountId: `acc-${index % 13}`,
    amount: `${(index % 500) + 1}.25`,
    direction: index % 3 ? 'credit' : 'debit',
    dataRef: '2026-02-01',
    contentHash: 'h'.repeat(32),
    acceptedAt: Date.now(),
  }));
}

async function signal(workflowId: string, settings: LedgerBufferSettings, batch: BufferedEntry[]) {
  const input: LedgerBufferInput = { shard: 0, shards: 1, settings };
  await env.client.workflow.signalWithStart('ledgerBufferWorkflow', {
    workflowId,
    taskQueue,
    args: [input],
    signal: ledgerEntriesSignal,
    signalArgs: [{ entries: batch }],
  });
}

async function persistedCount(requestIds: string[]): Promise<number> {
  const { rows } = await postgres.pool().query('SELECT count(*)::int AS n FROM ledger_entries WHERE request_id = ANY($1::uuid[])', [requestIds]);
  return rows[0].n;
}

async function batchTotals(workflowId: string): Promise<{ batches: number; entries: number }> {
  const { rows } = await postgres
    .pool()
    .query("SELECT count(*)::int AS batches, coalesce(sum(entry_count), 0)::int AS entries FROM ledger_batches WHERE batch_id LIKE $1 || ':%'", [workflowId]);
  return rows[0];
}

test('entries waiting less than a full batch are flushed when the interval passes', async () => {
  const workflowId = `t-ledger-interval-${randomUUID()}`;
  const batch = entries(3);
  await signal(workflowId, { ...baseSettings, flushIntervalMs: 400 }, batch);
  await eventually(async () => ((await persistedCount(batch.map((entry) => entry.requestId))) === 3 ? true : undefined), 20_000);
  const stats = await env.client.workflow.getHandle(workflowId).query(ledgerStatsQuery);
  expect(stats).toMatchObject({ pending: 0, inFlight: 0, totals: { received: 3, persisted: 3, batches: 1 } });
  await env.client.workflow.getHandle(workflowId).terminate('done');
});

test('a full batch flushes at once; repeated request ids are ignored while buffered', async () => {
  const workflowId = `t-ledger-size-${randomUUID()}`;
  const settings = { ...baseSettings, flushSize: 50 };
  const batch = entries(120);
  // 40 wait (under the batch size, and the interval is a minute away); the next signal repeats 20 of them.
  await signal(workflowId, settings, batch.slice(0, 40));
  await signal(workflowId, settings, batch.slice(20, 120)); // 20 repeats of buffered entries
  // Two full batches go out by size; the remaining 20 wait for the interval (60 s) or the flush update.
  await eventually(async () => ((await batchTotals(workflowId)).entries >= 100 ? true : undefined), 20_000);
  const handle = env.client.workflow.getHandle(workflowId);
  const before = await handle.query(ledgerStatsQuery);
  expect(before.totals).toMatchObject({ received: 120, duplicates: 20 });
  expect(before.pending + before.inFlight).toBe(120 - before.totals.persisted);

  const result = await handle.executeUpdate(ledgerFlushUpdate, { args: [{ dataRef: '2026-02-01' }] });
  expect(result).toMatchObject({ shard: 0, dataRef: '2026-02-01', persistedTotal: 120 });
  expect(await persistedCount(batch.map((entry) => entry.requestId))).toBe(120);
  expect(await batchTotals(workflowId)).toEqual({ batches: 3, entries: 120 });
  await handle.terminate('done');
});

test('the flush update rejects a malformed date without touching the buffer', async () => {
  const workflowId = `t-ledger-update-${randomUUID()}`;
  await signal(workflowId, baseSettings, entries(2));
  const handle = env.client.workflow.getHandle(workflowId);
  await expect(handle.executeUpdate(ledgerFlushUpdate, { args: [{ dataRef: '2026-02-30' }] })).rejects.toMatchObject({
    cause: { message: expect.stringMatching(/YYYY-MM-DD/) },
  });
  expect((await handle.query(ledgerStatsQuery)).pending).toBe(2);
  await handle.terminate('done');
});

test('continue-as-new under load: many runs, every entry persisted exactly once, totals carried', async () => {
  const workflowId = `t-ledger-can-${randomUUID()}`;
  // A tiny history limit forces a continue-as-new every few signals while signals keep arriving.
  const settings = { ...baseSettings, flushSize: 40, flushIntervalMs: 300, historyEventsLimit: 60, carryMaxEntries: 1000 };
  const all = entries(2400);
  const chunks = Array.from({ length: 96 }, (_, index) => all.slice(index * 25, index * 25 + 25));
  for (let wave = 0; wave < chunks.length; wave += 8) {
    const slice = chunks.slice(wave, wave + 8);
    // Each wave also repeats a chunk of the previous one: duplicates across the continue-as-new boundary.
    await Promise.all([...slice, ...(wave > 0 ? [chunks[wave - 1]!] : [])].map((chunk) => signal(workflowId, settings, chunk)));
    // Paced, so that signals keep arriving while runs drain and continue-as-new.
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const ids = all.map((entry) => entry.requestId);
  await eventually(async () => ((await persistedCount(ids)) === all.length ? true : undefined), 90_000, 500);

  // The control table agrees: each entry counted in exactly one batch.
  expect(await batchTotals(workflowId)).toMatchObject({ entries: all.length });
  const { rows } = await postgres.pool().query('SELECT count(*)::int AS n FROM ledger_outbox WHERE request_id = ANY($1::uuid[])', [ids]);
  expect(rows[0].n).toBe(all.length);

  const handle = env.client.workflow.getHandle(workflowId);
  const stats = await eventually(async () => {
    const current = await handle.query(ledgerStatsQuery);
    return current.totals.persisted === all.length ? current : undefined;
  }, 30_000);
  expect(stats.totals.runs).toBeGreaterThan(3);
  // A repeat that arrives after its first copy was flushed is taken in again (the flush then inserts nothing).
  expect(stats.totals.received + stats.totals.duplicates).toBe(all.length + 11 * 25);
  expect(stats.totals.received).toBeGreaterThanOrEqual(all.length);
  // Signals landed in several runs: the load really crossed continue-as-new boundaries.
  const runs: string[] = [];
  for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
  let runsWithSignals = 0;
  for (const runId of runs) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    if (history.events?.some((event) => event.workflowExecutionSignaledEventAttributes)) runsWithSignals += 1;
  }
  expect(runsWithSignals).toBeGreaterThan(1);
  await handle.terminate('done');
}, 180_000);

test('retire flushes everything, then the workflow completes; a later signal starts a fresh run', async () => {
  const workflowId = `t-ledger-retire-${randomUUID()}`;
  const first = entries(7);
  await signal(workflowId, baseSettings, first);
  const handle = env.client.workflow.getHandle(workflowId);
  const stats = await handle.executeUpdate(ledgerRetireUpdate);
  expect(stats).toMatchObject({ pending: 0, inFlight: 0, totals: { persisted: 7 } });
  await handle.result();
  expect(await persistedCount(first.map((entry) => entry.requestId))).toBe(7);

  const second = entries(2);
  await signal(workflowId, { ...baseSettings, flushIntervalMs: 300 }, second);
  await eventually(async () => ((await persistedCount(second.map((entry) => entry.requestId))) === 2 ? true : undefined), 20_000);
  expect((await handle.query(ledgerStatsQuery)).totals).toMatchObject({ received: 2, runs: 1 });
  await handle.terminate('done');
});

test('flushLedgerShards (for consolidation) flushes every started shard and skips the others', async () => {
  const prefix = `t-ledger-flush-all-${randomUUID()}`;
  const batch = entries(4);
  // Shard 1 of 3 is running with entries waiting; shards 0 and 2 were never started.
  await env.client.workflow.signalWithStart('ledgerBufferWorkflow', {
    workflowId: `${prefix}-1`,
    taskQueue,
    args: [{ shard: 1, shards: 3, settings: baseSettings }],
    signal: ledgerEntriesSignal,
    signalArgs: [{ entries: batch }],
  });
  const activities = createLedgerActivities({ postgres }, { ...config, LEDGER_SHARDS: 3, LEDGER_BUFFER_ID_PREFIX: prefix });
  const result = await new MockActivityEnvironment(undefined, { client: env.client }).run(activities.flushLedgerShards, { dataRef: '2026-02-01' });
  expect(result).toEqual({ shards: [{ shard: 1, dataRef: '2026-02-01', persistedTotal: 4 }] });
  expect(await persistedCount(batch.map((entry) => entry.requestId))).toBe(4);
  await env.client.workflow.getHandle(`${prefix}-1`).terminate('done');
});
