/**
 * The reconciliation fails loudly: a tampered total anywhere (control table, an entry, a balance, the Parquet
 * row count) fails the run with the figures, recorded in reports_runs; never a silent success.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { reconcileDay } from '../../src/activities/consolidation/reconcile';
import { consolidationErrors, type ReconciliationFigures } from '../../src/domain/consolidation/run';
import { freshDays, integer, pick, prng, seedLedger, uniqueTag, type SeedEntry } from '../support/consolidation-ledger';
import { startConsolidationHarness, type ConsolidationHarness } from '../support/consolidation-worker';

jest.setTimeout(120_000);

let harness: ConsolidationHarness;
const pool = () => harness.stores.postgres.pool();

beforeAll(async () => {
  harness = await startConsolidationHarness('consolidation-reconcile');
});
afterAll(async () => {
  await harness?.stop();
});

async function seededDay(seed: number): Promise<{ day: string; batches: string[] }> {
  const random = prng(seed);
  const tag = uniqueTag('tamper');
  const [day] = await freshDays(pool(), 1);
  const entries: SeedEntry[] = Array.from({ length: 80 }, () => ({
    accountId: `${tag}-${integer(random, 0, 7)}`,
    amountCents: BigInt(integer(random, 1, 1_000_000)),
    direction: pick(random, ['credit', 'debit'] as const),
    dataRef: day!,
  }));
  return { day: day!, batches: await seedLedger(pool(), entries, { batchSize: 20, tag }) };
}

/** The workflow's failure: type, message and the figures it carries. */
async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await run.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

async function failedRun(day: string) {
  const { rows } = await pool().query('SELECT status, error FROM reports_runs WHERE data_ref = $1 ORDER BY started_at DESC LIMIT 1', [day]);
  return rows[0] as { status: string; error: { step: string; type: string; message: string; figures: ReconciliationFigures | null } };
}

test('a tampered control-table total fails the run with the figures, recorded in reports_runs', async () => {
  const { day, batches } = await seededDay(1);
  const { rows } = await pool().query<{ credit: string }>(
    'UPDATE ledger_batches SET credit_sum_cents = credit_sum_cents + 1 WHERE batch_id = $1 RETURNING credit_sum_cents::text AS credit',
    [batches[2]],
  );
  expect(rows).toHaveLength(1);

  const failure = await failureOf(harness.consolidate(day));
  expect(failure.type).toBe(consolidationErrors.reconciliationMismatch);
  expect(failure.nonRetryable).toBe(true);
  const figures = failure.details?.[0] as ReconciliationFigures;
  expect(BigInt(figures.control.creditCents) - BigInt(figures.controlEntries.creditCents)).toBe(1n);
  expect(failure.message).toContain(
    `control table: ledger_batches credits ${figures.control.creditCents} cents, the entries of those batches ${figures.controlEntries.creditCents}`,
  );
  // The day itself is consistent: only the control table disagrees.
  expect(figures.balances).toMatchObject(figures.ledger);

  const run = await failedRun(day);
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ step: 'reconcile', type: consolidationErrors.reconciliationMismatch });
  expect(run.error.figures?.control.creditCents).toBe(figures.control.creditCents);
});

test('an entry changed after its batch was flushed fails the run: sums and checksum differ from the control table', async () => {
  const { day, batches } = await seededDay(2);
  await pool().query(
    `UPDATE ledger_entries SET amount_cents = amount_cents + 100
     WHERE request_id = (SELECT request_id FROM ledger_entries WHERE batch_id = $1 ORDER BY request_id LIMIT 1)`,
    [batches[0]],
  );
  const failure = await failureOf(harness.consolidate(day));
  expect(failure.type).toBe(consolidationErrors.reconciliationMismatch);
  expect(failure.message).toContain(`checksum differs for batches ${batches[0]}`);
  const figures = failure.details?.[0] as ReconciliationFigures;
  expect(figures.control.checksumMismatches).toEqual([batches[0]]);
  expect((await failedRun(day)).status).toBe('failed');
});

test('a tampered balance or a short Parquet export is caught by the reconciliation step', async () => {
  const { day } = await seededDay(3);
  const result = await harness.consolidate(day);
  const reconcile = (exported = { entries: result.figures.ledger.entries, balances: result.figures.balances.accounts }) =>
    reconcileDay(harness.stores.postgres, 60_000, { dataRef: day, exported });

  await expect(reconcile()).resolves.toEqual(result.figures);
  await expect(reconcile({ entries: result.entries - 1, balances: result.accounts })).rejects.toMatchObject({
    type: consolidationErrors.reconciliationMismatch,
    message: expect.stringContaining(`parquet: ${result.entries - 1} entry rows exported, ledger_entries has ${result.entries}`),
  });

  // Tampered consistently within the row (the table's CHECK holds), so only the totals can tell.
  await pool().query(
    `UPDATE consolidation_daily_balances SET debit_cents = debit_cents + 5, net_cents = net_cents - 5, closing_cents = closing_cents - 5
     WHERE data_ref = $1 AND account_id = (SELECT min(account_id) FROM consolidation_daily_balances WHERE data_ref = $1)`,
    [day],
  );
  const tampered = BigInt(result.debitCents) + 5n;
  await expect(reconcile()).rejects.toMatchObject({
    type: consolidationErrors.reconciliationMismatch,
    nonRetryable: true,
    message: expect.stringContaining(`entries vs balances: ledger_entries debits ${result.debitCents} cents, balances ${tampered}`),
  });
});
