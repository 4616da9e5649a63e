/**
 * The contract of the daily consolidation (the seed's `consolidacao_diaria`): workflow ids, inputs, the
 * steps, the progress query and the result. Shared by the workflows, the activities, the API and the schedule.
 */
import { defineQuery } from '@temporalio/workflow';

/** `consolidacao-2026-01-15`: one consolidation of a day at a time; a re-run reuses the id (see docs). */
export const consolidationWorkflowId = (dataRef: string) => `consolidacao-${dataRef}`;
/** `consolidacao-backfill-2026-01-01-2026-01-31`: one backfill of a given range at a time. */
export const consolidationBackfillWorkflowId = (from: string, to: string) => `consolidacao-backfill-${from}-${to}`;

export const CONSOLIDATION_WORKFLOW = 'consolidationWorkflow';
export const CONSOLIDATION_BACKFILL_WORKFLOW = 'consolidationBackfillWorkflow';
export const CONSOLIDATION_SCHEDULED_WORKFLOW = 'consolidationScheduledWorkflow';

/** The steps, in order; `reports_runs.steps` and the current details name them. */
export const consolidationSteps = ['completeness', 'plan', 'consolidate', 'refresh_views', 'export', 'reconcile', 'record'] as const;
export type ConsolidationStep = (typeof consolidationSteps)[number];

/** Who asked: recorded in reports_runs and the Web UI. */
export interface ConsolidationRequester {
  requestedBy: string;
  requestId: string;
}

export interface ConsolidationInput extends ConsolidationRequester {
  dataRef: string;
  /** Overrides of the worker's settings (tests, benchmarks); normally absent. */
  partitions?: number;
  concurrency?: number;
}

/** What the plan step fixes for the whole run (recorded in history, so a retried step sees the same). */
export interface ConsolidationPlan {
  partitions: number;
  concurrency: number;
  /** P-1 account ids splitting the day's accounts into P ranges: [-∞, b1), [b1, b2) … [b(P-1), +∞). */
  boundaries: string[];
  /**
   * Earlier days with entries but no succeeded run: their entries are added to the carried opening balance
   * of the accounts they touch (an account's previous row predates them), so a skipped day loses nothing.
   */
  gapDays: string[];
  /** The run's snapshot: ledger batches holding this day's entries, and those entries. */
  batches: number;
  entries: number;
  /**
   * The plan staged the day's per-account sums (consolidation_day_accounts) for the partitions. Absent in
   * plans recorded before the staging existed: their partitions read the entries.
   */
  staged?: boolean;
}

export interface PartitionRange {
  index: number;
  /** Inclusive lower bound; undefined = no lower bound. */
  from?: string;
  /** Exclusive upper bound; undefined = no upper bound. */
  to?: string;
}

export interface PartitionResult {
  index: number;
  accounts: number;
  entries: number;
  creditCents: string;
  debitCents: string;
}

export interface StepTiming {
  step: ConsolidationStep;
  startedAt: string;
  durationMs: number;
}

export interface ExportedFile {
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ExportedTable {
  table: string;
  rows: number;
  files: ExportedFile[];
}

/** `datalake/_manifests/data_ref=<day>.json`: what one run exported for the day. */
export interface DatalakeManifest {
  data_ref: string;
  run_id: string;
  workflow_id: string;
  tables: Record<string, { rows: number; files: ExportedFile[] }>;
}

/** The figures the reconciliation compares; amounts are decimal strings of cents (exact). */
export interface Totals {
  entries: number;
  creditCents: string;
  debitCents: string;
}

export interface ReconciliationFigures {
  dataRef: string;
  /** The day's entries in the run's snapshot (ledger_entries). */
  ledger: Totals;
  /** Sum of the day's consolidated balances. */
  balances: Totals & { accounts: number; badRows: number };
  /** The control table (ledger_batches) for the snapshot's batches, and the entries of those batches (all days). */
  control: Totals & { batches: number; missingBatches: number; checksumMismatches: string[] };
  controlEntries: Totals;
  /** The snapshot's per-batch record of this day's part, summed. */
  snapshot: Totals;
  /** Rows written to Parquet per table, as the manifest says. */
  exported: { entries: number; balances: number };
  /** Entries of this day committed after the run's snapshot (late entries: the next run includes them). */
  lateEntries: number;
}

export interface ConsolidationResult {
  dataRef: string;
  workflowId: string;
  runId: string;
  status: 'succeeded';
  accounts: number;
  entries: number;
  creditCents: string;
  debitCents: string;
  manifestKey: string;
  figures: ReconciliationFigures;
  steps: StepTiming[];
}

export interface ConsolidationProgress {
  dataRef: string;
  /** The step started last (refresh_views, export and reconcile run together). */
  step: ConsolidationStep | 'done' | 'failed';
  running: ConsolidationStep[];
  partitions: number;
  partitionsDone: number;
  steps: StepTiming[];
}

export const consolidationProgressQuery = defineQuery<ConsolidationProgress>('progress');

/** Failure types a caller can match (ApplicationFailure.type). */
export const consolidationErrors = {
  reconciliationMismatch: 'ConsolidationReconciliationMismatch',
  invalidInput: 'ConsolidationInvalidInput',
} as const;

export interface BackfillInput extends ConsolidationRequester {
  from: string;
  to: string;
}

export interface DayOutcome {
  dataRef: string;
  workflowId: string;
  runId: string;
  entries: number;
}

export interface BackfillResult {
  from: string;
  to: string;
  daysRun: number;
  entries: number;
  /** The days of the last run of the backfill (all of them unless it continued-as-new). */
  days: DayOutcome[];
}

export interface ScheduledConsolidationInput {
  scheduleId: string;
  /** The schedule's time to consolidate for; absent = the action's scheduled time (TemporalScheduledStartTime). */
  scheduledFor?: string;
}

export interface ScheduledConsolidationResult {
  target: string;
  /** Days run, in order: late-changed days of the look-back window first, then the target. */
  days: DayOutcome[];
}
