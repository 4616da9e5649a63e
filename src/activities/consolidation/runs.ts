/**
 * `reports_runs`: one row per run of a day's consolidation (keyed by the Temporal run id, so a retried
 * activity writes the same row). Written when the run starts and when it ends, with the step timings,
 * counts and, for a failure, the error with its figures.
 */
import type { StepTiming } from '../../domain/consolidation/run';
import type { PostgresStore } from '../../stores/postgres';

export interface RunStart {
  runId: string;
  workflowId: string;
  dataRef: string;
  requestedBy: string;
  requestId: string;
  partitions: number;
  /** Workflow time, ISO 8601. */
  startedAt: string;
}

export interface RunFinish {
  runId: string;
  status: 'succeeded' | 'failed';
  finishedAt: string;
  partitions: number;
  steps: StepTiming[];
  counts: Record<string, unknown> | null;
  /** The day's entries as consolidated: what the scheduled run compares the ledger with later. */
  entryCount: number | null;
  amountCents: string | null;
  manifestKey: string | null;
  error: Record<string, unknown> | null;
}

export async function recordRunStart(postgres: PostgresStore, run: RunStart): Promise<void> {
  await postgres.pool().query(
    `INSERT INTO reports_runs (run_id, workflow_id, data_ref, status, requested_by, request_id, partitions, started_at)
     VALUES ($1, $2, $3, 'running', $4, $5, $6, $7)
     ON CONFLICT (run_id) DO NOTHING`,
    [run.runId, run.workflowId, run.dataRef, run.requestedBy, run.requestId, run.partitions, run.startedAt],
  );
}

export async function recordRunFinish(postgres: PostgresStore, run: RunFinish): Promise<void> {
  const steps = run.steps.map((step) => ({ step: step.step, started_at: step.startedAt, duration_ms: step.durationMs }));
  await postgres.pool().query(
    // The run is over: the plan's staged sums of its day are no longer needed (a re-run plans them anew).
    `WITH finished AS (
       UPDATE reports_runs
       SET status = $2, finished_at = $3, partitions = $4, steps = $5, counts = $6, entry_count = $7, amount_cents = $8,
           manifest_key = $9, error = $10
       WHERE run_id = $1
       RETURNING data_ref
     )
     DELETE FROM consolidation_day_accounts WHERE data_ref IN (SELECT data_ref FROM finished)`,
    [
      run.runId,
      run.status,
      run.finishedAt,
      run.partitions,
      JSON.stringify(steps),
      run.counts === null ? null : JSON.stringify(run.counts),
      run.entryCount,
      run.amountCents,
      run.manifestKey,
      run.error === null ? null : JSON.stringify(run.error),
    ],
  );
}
