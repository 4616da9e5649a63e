/**
 * The schedule and the multi-day workflows: `consolidacao-diaria` registered twice is one schedule (18:00 São
 * Paulo, overlap skip, catch-up window); the scheduled run re-runs, in order, earlier days that received late
 * entries after their consolidation; a backfill runs its days in order.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { eventually } from '../support/app';
import { consolidationBackfillWorkflow, consolidationScheduledWorkflow } from '../../src/workflows/consolidation';
import { consolidationBackfillWorkflowId, type ScheduledConsolidationResult } from '../../src/domain/consolidation/run';
import { applySchedules } from '../../src/workers/schedules/apply';
import { CONSOLIDATION_SCHEDULE_ID, consolidationSchedules } from '../../src/workers/schedules/consolidation';
import { actualBalances, expectedBalances, freshDays, integer, pick, prng, seedLedger, uniqueTag, type SeedEntry } from '../support/consolidation-ledger';
import { startConsolidationHarness, type ConsolidationHarness } from '../support/consolidation-worker';

jest.setTimeout(180_000);

let harness: ConsolidationHarness;
const pool = () => harness.stores.postgres.pool();

beforeAll(async () => {
  harness = await startConsolidationHarness('consolidation-schedule');
});
afterAll(async () => {
  await harness?.stop();
});

function entries(seed: number, dataRef: string, accounts: string[], count: number): SeedEntry[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => ({
    accountId: pick(random, accounts),
    amountCents: BigInt(integer(random, 1, 250_000)),
    direction: pick(random, ['credit', 'debit'] as const),
    dataRef,
  }));
}

async function runsOf(day: string): Promise<{ status: string; entry_count: number; started_at: Date; finished_at: Date }[]> {
  const { rows } = await pool().query('SELECT status, entry_count::int, started_at, finished_at FROM reports_runs WHERE data_ref = $1 ORDER BY started_at', [day]);
  return rows;
}

test('registering consolidacao-diaria twice leaves one schedule: 18:00 America/Sao_Paulo, overlap skip, catch-up window', async () => {
  const client = harness.client;
  await client.schedule.getHandle(CONSOLIDATION_SCHEDULE_ID).delete().catch((error: unknown) => {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  });
  try {
    expect(await applySchedules(client, consolidationSchedules)).toEqual([{ id: CONSOLIDATION_SCHEDULE_ID, outcome: 'created' }]);
    expect(await applySchedules(client, consolidationSchedules)).toEqual([{ id: CONSOLIDATION_SCHEDULE_ID, outcome: 'unchanged' }]);

    const matching: string[] = [];
    for await (const summary of client.schedule.list()) if (summary.scheduleId === CONSOLIDATION_SCHEDULE_ID) matching.push(summary.scheduleId);
    expect(matching).toEqual([CONSOLIDATION_SCHEDULE_ID]);

    const description = await client.schedule.getHandle(CONSOLIDATION_SCHEDULE_ID).describe();
    expect(description.spec.timezone).toBe('America/Sao_Paulo');
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 18, end: 18, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.policies.catchupWindow).toBe(6 * 3600 * 1000);
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'consolidationScheduledWorkflow', taskQueue: 'reports' });
    // Its next runs fall at 18:00 in São Paulo (21:00 UTC: no daylight saving there since 2019).
    expect(description.info.nextActionTimes[0]!.toISOString()).toMatch(/T21:00:00\.000Z$/);
  } finally {
    await client.schedule.getHandle(CONSOLIDATION_SCHEDULE_ID).delete().catch(() => undefined);
  }
});

test('a run the schedule takes for a past 18:00 (catch-up, backfill) consolidates the day of that 18:00, not of today', async () => {
  // The real definition on the harness's queue, under an id of its own; the schedule's backfill plays the
  // 18:00 of a past day, as a catch-up after an outage would: the run must take its day from the action's
  // nominal time (TemporalScheduledStartTime), not from when it starts.
  // Temporal's schedules only know the years 2000-2100.
  const [day] = await freshDays(pool(), 1, 10, { from: '2000-01-01', spanDays: 7000 });
  const id = `consolidacao-diaria-t${process.pid}`;
  const definition = { ...consolidationSchedules[0]!, id, workflowId: id, taskQueue: harness.taskQueue as typeof consolidationSchedules[0]['taskQueue'] };
  const client = harness.client;
  await applySchedules(client, [definition]);
  try {
    // The day's 18:00 in São Paulo falls within 19:00-22:30 UTC whatever its offset (-03:00, or -02:00 in the
    // daylight-saving summers before 2019).
    await client.schedule.getHandle(id).backfill({ start: new Date(`${day}T19:00:00Z`), end: new Date(`${day}T22:30:00Z`), overlap: 'ALLOW_ALL' });
    const workflowId = await eventually(async () => {
      for await (const execution of client.workflow.list({ query: `WorkflowType = 'consolidationScheduledWorkflow' AND TemporalScheduledById = '${id}'` })) {
        return execution.workflowId;
      }
      return undefined;
    }, 60_000, 500);
    const result: ScheduledConsolidationResult = await client.workflow.getHandle(workflowId).result();
    expect(result.target).toBe(day);
    expect(result.days.map((outcome) => outcome.dataRef)).toEqual([day]);
    expect(await runsOf(day!)).toEqual([expect.objectContaining({ status: 'succeeded', entry_count: 0 })]);
  } finally {
    await client.schedule.getHandle(id).delete().catch(() => undefined);
  }
});

test('the scheduled run re-runs, in order, an earlier day that received late entries, then its own day', async () => {
  const tag = uniqueTag('scheduled');
  const accounts = Array.from({ length: 8 }, (_, index) => `${tag}-${index}`);
  const [day1, day2] = await freshDays(harness.stores.postgres.pool(), 2);
  await seedLedger(pool(), [...entries(1, day1!, accounts, 90), ...entries(2, day2!, accounts, 70)], { batchSize: 30 });
  await harness.consolidate(day1!);
  await harness.consolidate(day2!);
  // Late entries for day 1 arrive after both days were consolidated, in batches with more day-2 entries.
  await seedLedger(pool(), [...entries(3, day1!, accounts, 11), ...entries(4, day2!, accounts, 9)], { batchSize: 7 });
  expect(await actualBalances(pool(), day2!)).not.toEqual(await expectedBalances(pool(), day2!, accounts));

  const result: ScheduledConsolidationResult = await harness.client.workflow.execute(consolidationScheduledWorkflow, {
    workflowId: `consolidacao-diaria-test-${tag}`,
    taskQueue: harness.taskQueue,
    args: [{ scheduleId: 'consolidacao-diaria', scheduledFor: `${day2}T21:00:00Z` }],
  });

  expect(result.target).toBe(day2);
  expect(result.days.map((day) => [day.dataRef, day.entries])).toEqual([
    [day1, 101],
    [day2, 79],
  ]);
  for (const day of [day1!, day2!]) expect(await actualBalances(pool(), day)).toEqual(await expectedBalances(pool(), day, accounts));
  const [runs1, runs2] = [await runsOf(day1!), await runsOf(day2!)];
  expect(runs1.map((run) => [run.status, run.entry_count])).toEqual([
    ['succeeded', 90],
    ['succeeded', 101],
  ]);
  // Day 2 ran again only after day 1's re-run had finished.
  expect(runs2[1]!.started_at.getTime()).toBeGreaterThanOrEqual(runs1[1]!.finished_at.getTime());
});

test('a backfill runs its days in order, each after the previous one finished, with correct carried balances', async () => {
  const tag = uniqueTag('backfill');
  const accounts = Array.from({ length: 5 }, (_, index) => `${tag}-${index}`);
  const days = await freshDays(pool(), 4);
  await seedLedger(pool(), days.flatMap((day, index) => entries(10 + index, day, accounts, 40)), { batchSize: 25 });

  const result = await harness.client.workflow.execute(consolidationBackfillWorkflow, {
    workflowId: consolidationBackfillWorkflowId(days[0]!, days[3]!),
    taskQueue: harness.taskQueue,
    args: [{ from: days[0]!, to: days[3]!, requestedBy: 'test', requestId: 'backfill-test' }],
  });
  expect(result).toMatchObject({ from: days[0], to: days[3], daysRun: 4, entries: 160 });
  expect(result.days.map((day) => day.dataRef)).toEqual(days);

  let previousFinish = 0;
  for (const day of days) {
    const [run] = await runsOf(day);
    expect(run).toMatchObject({ status: 'succeeded', entry_count: 40 });
    expect(run!.started_at.getTime()).toBeGreaterThanOrEqual(previousFinish);
    previousFinish = run!.finished_at.getTime();
    expect(await actualBalances(pool(), day)).toEqual(await expectedBalances(pool(), day, accounts));
  }
});
