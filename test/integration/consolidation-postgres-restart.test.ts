/**
 * Fault: PostgreSQL restarts while a consolidation is in its partition step. The run must wait it out
 * (activities retry) and complete with the correct figures, nothing counted twice. The run is held in the
 * partition step deterministically by a lock on the balances table, taken before it starts.
 */
import { Client as PgClient } from 'pg';
import { consolidationProgressQuery, consolidationWorkflowId, type ConsolidationResult } from '../../src/domain/consolidation/run';
import { eventually } from '../support/app';
import { actualBalances, expectedBalances, freshDays, integer, pick, prng, seedLedger, uniqueTag } from '../support/consolidation-ledger';
import { startConsolidationHarness, type ConsolidationHarness } from '../support/consolidation-worker';
import { stackDown, stackUp } from '../support/stack';

jest.setTimeout(240_000);

let harness: ConsolidationHarness;
const pool = () => harness.stores.postgres.pool();

beforeAll(async () => {
  harness = await startConsolidationHarness('consolidation-pg-restart');
});
afterAll(async () => {
  // Whatever happened, leave PostgreSQL up for the tests after this one.
  stackUp('postgres');
  await harness?.stop();
});

test('PostgreSQL restarted mid-run: the run completes with correct figures, recorded once', async () => {
  const random = prng(99);
  const tag = uniqueTag('pg-restart');
  const accounts = Array.from({ length: 20 }, (_, index) => `${tag}-${index}`);
  const [day] = await freshDays(pool(), 1);
  await seedLedger(
    pool(),
    Array.from({ length: 3000 }, () => ({
      accountId: pick(random, accounts),
      amountCents: BigInt(integer(random, 1, 10_000_000)),
      direction: pick(random, ['credit', 'debit'] as const),
      dataRef: day!,
    })),
    { batchSize: 500 },
  );

  // Hold the run in its partition step: its DELETE waits for this lock.
  const blocker = new PgClient({ connectionString: process.env.DATABASE_URL });
  blocker.on('error', () => undefined);
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE consolidation_daily_balances IN SHARE MODE');

  const handle = await harness.client.workflow.start('consolidationWorkflow', {
    workflowId: consolidationWorkflowId(day!),
    taskQueue: harness.taskQueue,
    args: [{ dataRef: day!, requestedBy: 'test', requestId: 'pg-restart' }],
  });
  try {
    await eventually(async () => {
      const progress = await handle.query(consolidationProgressQuery);
      // Not through the blocker: pg_stat_activity is a snapshot per transaction.
      const { rows } = await pool().query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM consolidation_daily_balances%'`,
      );
      return progress.step === 'consolidate' && rows[0].waiting > 0 ? true : undefined;
    });
    stackDown('postgres');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  } finally {
    stackUp('postgres');
    await blocker.end().catch(() => undefined);
  }
  const result = (await handle.result()) as ConsolidationResult;

  expect(result.entries).toBe(3000);
  expect(await actualBalances(pool(), day!)).toEqual(await expectedBalances(pool(), day!, accounts));
  const { rows: runs } = await pool().query('SELECT run_id, status, entry_count::int FROM reports_runs WHERE data_ref = $1', [day]);
  expect(runs).toEqual([{ run_id: result.runId, status: 'succeeded', entry_count: 3000 }]);

  // The restart really hit the run: a partition activity needed more than one attempt.
  const history = await handle.fetchHistory();
  const attempts = (history.events ?? [])
    .filter((event) => event.activityTaskStartedEventAttributes)
    .map((event) => event.activityTaskStartedEventAttributes!.attempt ?? 1);
  expect(Math.max(...attempts)).toBeGreaterThan(1);
});
