/**
 * `consolidacao-<data_ref>`: the daily consolidation of one day (the seed's `consolidacao_diaria`).
 *
 *   1. completeness   every ledger buffer flushes what it holds for the day (the ledger's `flush` update)
 *   2. plan           the run's snapshot of the ledger (its batches), P account ranges, gap days
 *   3. consolidate    one idempotent activity per range, at most `concurrency` at once, heartbeating
 *   4. refresh_views  REFRESH MATERIALIZED VIEW CONCURRENTLY reports_* (readers are not blocked)
 *   5. export         Parquet parts of the day's entries and balances, then the manifest
 *   6. reconcile      entries = balances = control table = Parquet rows, or the run fails with the figures
 *   then the run is recorded in reports_runs (also when it fails, with the error and figures).
 *
 * The export of the entries needs only the plan's snapshot, so it starts with step 3; steps 4, 5 (balances)
 * and 6 need only the balances, so they start together when step 3 ends, beside the entries' export:
 * PostgreSQL consolidates, refreshes and sums while DuckDB writes Parquet. The reconciliation's verdict waits
 * for the export's row counts.
 *
 * Each step's activity is idempotent, so a retried step or a re-run of the day replaces the day's results and
 * never adds to them. Steps already done are in the history: a worker restart resumes at the step it was in.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { isCalendarDate } from '../../domain/consolidation/dates';
import { datalakeTables } from '../../domain/consolidation/datalake';
import { assertReconciled } from '../../domain/consolidation/reconciliation';
import {
  consolidationErrors,
  consolidationProgressQuery,
  consolidationSteps,
  type ConsolidationInput,
  type ConsolidationPlan,
  type ConsolidationProgress,
  type ConsolidationResult,
  type ConsolidationStep,
  type ExportedTable,
  type PartitionRange,
  type PartitionResult,
  type ReconciliationFigures,
} from '../../domain/consolidation/run';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { records, steps } from './activities';
import { runLimited } from './limited';

/** P ranges from the plan's P-1 boundaries: [-∞, b1), [b1, b2) … [b(P-1), +∞). */
export function partitionRanges(plan: Pick<ConsolidationPlan, 'boundaries'>): PartitionRange[] {
  const bounds = plan.boundaries;
  return Array.from({ length: bounds.length + 1 }, (_, index) => ({
    index,
    from: index === 0 ? undefined : bounds[index - 1],
    to: index === bounds.length ? undefined : bounds[index],
  }));
}

/**
 * Runs started before this patch exported the balances only after the entries' export had ended; newer ones
 * export them beside it, as soon as the partitions are done. Deprecate once no older run is open.
 */
const BALANCES_EXPORT_BESIDE_ENTRIES_PATCH = 'consolidation-balances-export-beside-entries';

const sumCents = (values: string[]) => values.reduce((sum, value) => sum + BigInt(value), 0n).toString();

/** Which step an activity belongs to (steps 4-6 run together, so the failed one is named by its activity). */
const stepOfActivity: Record<string, ConsolidationStep> = {
  recordConsolidationStart: 'completeness',
  flushLedgerForConsolidation: 'completeness',
  planConsolidation: 'plan',
  consolidatePartition: 'consolidate',
  refreshReportViews: 'refresh_views',
  exportConsolidationTable: 'export',
  writeDatalakeManifest: 'export',
  gatherReconciliationFigures: 'reconcile',
  recordConsolidationFinish: 'record',
};

/** What a failure says: its step (when an activity failed), type, message and details (the reconciliation's figures). */
function describeFailure(error: unknown): { step?: ConsolidationStep; type: string; message: string; details: unknown[] } {
  let step: ConsolidationStep | undefined;
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof ActivityFailure && current.activityType) step ??= stepOfActivity[current.activityType];
    if (current instanceof ApplicationFailure) {
      return { step, type: current.type ?? 'Error', message: current.message, details: (current.details as unknown[] | undefined) ?? [] };
    }
    if (!current.cause) break;
    current = current.cause;
  }
  return { step, type: 'ConsolidationFailed', message: error instanceof Error ? error.message : String(error), details: [] };
}

export async function consolidationWorkflow(input: ConsolidationInput): Promise<ConsolidationResult> {
  const { dataRef } = input;
  if (!isCalendarDate(dataRef)) {
    throw ApplicationFailure.nonRetryable(`data_ref ${JSON.stringify(dataRef)} is not a date written YYYY-MM-DD`, consolidationErrors.invalidInput);
  }
  const { workflowId, runId } = workflowInfo();
  upsertSearchAttributes([{ key: searchAttributeKeys.DataRef, value: dataRef }]);

  const progress: ConsolidationProgress = { dataRef, step: 'completeness', running: [], partitions: 0, partitionsDone: 0, steps: [] };
  setHandler(consolidationProgressQuery, () => progress);
  const totals = { accounts: 0, entries: 0 };
  const publish = (detail: string) => {
    const running = progress.running.length > 0 ? progress.running : [progress.step as ConsolidationStep];
    const positions = running.map((name) => consolidationSteps.indexOf(name) + 1).join('-');
    const partitions = progress.partitions > 0 ? ` · partitions ${progress.partitionsDone}/${progress.partitions} done` : '';
    setCurrentDetails(`**${dataRef}** · step ${positions}/${consolidationSteps.length} **${running.join(' + ')}**${partitions}\n\n${detail}`);
  };

  /** Runs one step, with its timing and the current details. */
  const step = async <T>(name: ConsolidationStep, detail: string, work: () => Promise<T>): Promise<T> => {
    progress.step = name;
    progress.running.push(name);
    publish(detail);
    const startedAt = new Date();
    try {
      const result = await work();
      progress.steps.push({ step: name, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() });
      // Steps 4-6 run together and end in any order; readers of reports_runs get them in the pipeline's order.
      progress.steps.sort((left, right) => consolidationSteps.indexOf(left.step) - consolidationSteps.indexOf(right.step));
      return result;
    } finally {
      progress.running = progress.running.filter((running) => running !== name);
    }
  };

  await records.recordConsolidationStart({
    runId,
    workflowId,
    dataRef,
    requestedBy: input.requestedBy,
    requestId: input.requestId,
    partitions: input.partitions ?? 0,
    startedAt: new Date().toISOString(),
  });

  let plan: ConsolidationPlan | undefined;
  try {
    const completeness = await step('completeness', 'asking every ledger buffer to flush what it holds for the day', () =>
      steps.flushLedgerForConsolidation({ dataRef }),
    );
    plan = await step('plan', `ledger buffers flushed: ${completeness.flushed.length} answered, ${completeness.absent.length} not running`, () =>
      steps.planConsolidation({ dataRef, partitions: input.partitions, concurrency: input.concurrency }),
    );
    const ranges = partitionRanges(plan);
    progress.partitions = ranges.length;
    const currentPlan = plan;

    // The entries' export needs only the snapshot: it starts now, beside the partitions (the worker encodes
    // Parquet while PostgreSQL consolidates); the balances' export waits for the partitions.
    let markConsolidated: () => void = () => undefined;
    const consolidatedSignal = new Promise<void>((resolve) => (markConsolidated = resolve));
    const exported = step('export', `${plan.entries} entries: writing Parquet parts of the day to the data lake`, async () => {
      let entries: ExportedTable;
      let balances: ExportedTable;
      if (patched(BALANCES_EXPORT_BESIDE_ENTRIES_PATCH)) {
        // The balances' export starts as soon as the partitions are done, beside the entries' (the longer one).
        const entriesExport = steps.exportConsolidationTable({ dataRef, table: 'entries' });
        entriesExport.catch(() => undefined);
        await consolidatedSignal;
        [entries, balances] = await Promise.all([entriesExport, steps.exportConsolidationTable({ dataRef, table: 'balances' })]);
      } else {
        entries = await steps.exportConsolidationTable({ dataRef, table: 'entries' });
        await consolidatedSignal;
        balances = await steps.exportConsolidationTable({ dataRef, table: 'balances' });
      }
      const manifest = await steps.writeDatalakeManifest({
        data_ref: dataRef,
        run_id: runId,
        workflow_id: workflowId,
        tables: {
          [datalakeTables.entries]: { rows: entries.rows, files: entries.files },
          [datalakeTables.balances]: { rows: balances.rows, files: balances.files },
        },
      });
      return { entries, balances, manifestKey: manifest.key };
    });
    // Awaited below; a failure before then must not count as an unhandled rejection.
    exported.catch(() => undefined);

    const partitions = await step('consolidate', `${plan.entries} entries in ${plan.batches} ledger batches; ${plan.gapDays.length} gap days`, () =>
      runLimited(ranges, currentPlan.concurrency, async (range): Promise<PartitionResult> => {
        const result = await steps.consolidatePartition({
          dataRef,
          runId,
          range,
          gapDays: currentPlan.gapDays,
          staged: currentPlan.staged,
        });
        progress.partitionsDone += 1;
        totals.accounts += result.accounts;
        totals.entries += result.entries;
        publish(`${totals.accounts} accounts, ${totals.entries} entries consolidated so far`);
        return result;
      }),
    );
    markConsolidated();
    const consolidated = `${totals.accounts} accounts consolidated`;
    const [, exportedFiles, databaseFigures] = await Promise.all([
      step('refresh_views', `${consolidated}; refreshing reports_* concurrently`, () => steps.refreshReportViews()),
      exported,
      step('reconcile', `${consolidated}; gathering the reconciliation's figures`, () => steps.gatherReconciliationFigures({ dataRef })),
    ]);
    progress.step = 'reconcile';
    const figures: ReconciliationFigures = {
      ...databaseFigures,
      exported: { entries: exportedFiles.entries.rows, balances: exportedFiles.balances.rows },
    };
    assertReconciled(figures);

    const creditCents = sumCents(partitions.map((partition) => partition.creditCents));
    const debitCents = sumCents(partitions.map((partition) => partition.debitCents));
    progress.step = 'record';
    publish('recording the run in reports_runs');
    await records.recordConsolidationFinish({
      runId,
      status: 'succeeded',
      finishedAt: new Date().toISOString(),
      partitions: ranges.length,
      steps: progress.steps,
      counts: {
        accounts: totals.accounts,
        entries: totals.entries,
        credit_cents: creditCents,
        debit_cents: debitCents,
        batches: plan.batches,
        gap_days: plan.gapDays.length,
        late_entries: figures.lateEntries,
        ledger_buffers_flushed: completeness.flushed.length,
        files: exportedFiles.entries.files.length + exportedFiles.balances.files.length,
      },
      entryCount: totals.entries,
      amountCents: (BigInt(creditCents) + BigInt(debitCents)).toString(),
      manifestKey: exportedFiles.manifestKey,
      error: null,
    });
    progress.step = 'done';
    setCurrentDetails(`**${dataRef}** consolidated: ${totals.accounts} accounts, ${totals.entries} entries, reconciled; manifest ${exportedFiles.manifestKey}`);
    return {
      dataRef,
      workflowId,
      runId,
      status: 'succeeded',
      accounts: totals.accounts,
      entries: totals.entries,
      creditCents,
      debitCents,
      manifestKey: exportedFiles.manifestKey,
      figures,
      steps: progress.steps,
    };
  } catch (error) {
    const failure = describeFailure(error);
    const failedStep = failure.step ?? progress.step;
    progress.step = 'failed';
    setCurrentDetails(`**${dataRef}** failed at step **${failedStep}**: ${failure.message}`);
    // Recorded even when the run is being cancelled: reports_runs must not keep saying "running".
    await CancellationScope.nonCancellable(() =>
      records.recordConsolidationFinish({
        runId,
        status: 'failed',
        finishedAt: new Date().toISOString(),
        partitions: plan ? partitionRanges(plan).length : 0,
        steps: progress.steps,
        counts: { accounts: totals.accounts, entries: totals.entries, partitions_done: progress.partitionsDone },
        entryCount: null,
        amountCents: null,
        manifestKey: null,
        error: { step: failedStep, type: failure.type, message: failure.message, figures: failure.details[0] ?? null },
      }),
    );
    if (isCancellation(error)) throw error;
    throw ApplicationFailure.create({
      type: failure.type,
      message: `consolidation of ${dataRef} failed at step ${failedStep}: ${failure.message}`,
      details: failure.details,
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    });
  }
}
