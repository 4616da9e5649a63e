/**
 * The consolidation's activities (task queue `reports`), one per step of `consolidacao-<data_ref>` plus the
 * run record and the scheduled run's planning. Each is idempotent (keyed by data_ref and run id), because
 * Temporal retries them; the long ones heartbeat.
 */
import { loadConfig, type Config } from '../../config';
import type { DatalakeManifest, ExportedTable, PartitionResult } from '../../domain/consolidation/run';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import type { LazyTemporalClient } from '../../stores/temporal';
import { flushLedgerBuffers } from './completeness';
import { daysToRun } from './days-to-run';
import { exportDayTable, writeDatalakeManifest, type ExportInput } from './export';
import { consolidationEntriesTotal, consolidationExportedRowsTotal, consolidationRunsTotal, timed } from './metrics';
import { consolidatePartition, type PartitionInput } from './partition';
import { planConsolidation } from './plan';
import { gatherFigures, type DatabaseFigures } from './reconcile';
import { recordRunFinish, recordRunStart, type RunFinish, type RunStart } from './runs';
import { refreshReportViews } from './views';

export interface ConsolidationActivityStores {
  postgres: PostgresStore;
  objectStorage: ObjectStorage;
  temporal: LazyTemporalClient;
}

export function createConsolidationActivities(stores: ConsolidationActivityStores, config: Config = loadConfig()) {
  const timeoutMs = config.CONSOLIDATION_STATEMENT_TIMEOUT_MS;
  const prefix = config.CONSOLIDATION_DATALAKE_PREFIX;

  return {
    /** reports_runs: the run has started (idempotent by run id). */
    recordConsolidationStart: (run: RunStart) => recordRunStart(stores.postgres, run),
    /** reports_runs: the run's outcome, timings, counts (and error with figures). */
    async recordConsolidationFinish(run: RunFinish): Promise<void> {
      await recordRunFinish(stores.postgres, run);
      consolidationRunsTotal.inc({ status: run.status });
    },
    /** Step 1: every ledger buffer persists what it holds for the day (the ledger's `flush` update). */
    flushLedgerForConsolidation: (request: { dataRef: string }) =>
      timed('completeness', () => flushLedgerBuffers(stores.temporal, config, request.dataRef)),
    /** Step 2: the run's snapshot of the ledger, its partitions and gap days. */
    planConsolidation: (request: { dataRef: string; partitions?: number; concurrency?: number }) =>
      timed('plan', () =>
        planConsolidation(stores.postgres, request.dataRef, {
          partitions: request.partitions ?? config.CONSOLIDATION_PARTITIONS,
          concurrency: request.concurrency ?? config.CONSOLIDATION_CONCURRENCY,
          statementTimeoutMs: timeoutMs,
        }),
      ),
    /** Step 3: one partition's balances replaced for the day. */
    async consolidatePartition(input: PartitionInput): Promise<PartitionResult> {
      const result = await timed('consolidate', () => consolidatePartition(stores.postgres, timeoutMs, input));
      consolidationEntriesTotal.inc(result.entries);
      return result;
    },
    /** Step 4: reports_* refreshed without blocking readers. */
    refreshReportViews: () => timed('refresh_views', () => refreshReportViews(stores.postgres, timeoutMs)),
    /** Step 5: one table of the day to Parquet parts. */
    async exportConsolidationTable(input: ExportInput): Promise<ExportedTable> {
      const table = await timed('export', () =>
        exportDayTable(stores.postgres, stores.objectStorage, input, {
          prefix,
          rowsPerFile: config.CONSOLIDATION_PARQUET_ROWS_PER_FILE,
          statementTimeoutMs: timeoutMs,
        }),
      );
      consolidationExportedRowsTotal.inc({ table: table.table }, table.rows);
      return table;
    },
    /** Step 5, last: the manifest, the export's commit point. */
    writeDatalakeManifest: (manifest: DatalakeManifest) => writeDatalakeManifest(stores.objectStorage, prefix, manifest),
    /** Step 6: the database's figures (the workflow adds the exported counts and checks them all). */
    gatherReconciliationFigures: (request: { dataRef: string }): Promise<DatabaseFigures> =>
      timed('reconcile', () => gatherFigures(stores.postgres, timeoutMs, request.dataRef)),
    /** The scheduled run: its target day and the late-changed days before it. */
    consolidationDaysToRun: (request: { scheduledFor: string }) =>
      daysToRun(stores.postgres, request.scheduledFor, config.CONSOLIDATION_LOOKBACK_DAYS),
  };
}

export type ConsolidationActivities = ReturnType<typeof createConsolidationActivities>;
