/** The consolidation's business metrics, recorded by its activities on the process registry. */
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const consolidationStepDuration = new Histogram({
  name: 'fluxo_consolidation_step_duration_seconds',
  help: 'Duration of consolidation activities, by step',
  labelNames: ['step'] as const,
  buckets: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900],
  registers: [metricsRegistry],
});

export const consolidationRunsTotal = new Counter({
  name: 'fluxo_consolidation_runs_total',
  help: 'Daily consolidation runs that ended, by status (succeeded, failed)',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

export const consolidationEntriesTotal = new Counter({
  name: 'fluxo_consolidation_entries_total',
  help: 'Ledger entries consolidated by partition activities (re-runs count again)',
  registers: [metricsRegistry],
});

export const consolidationExportedRowsTotal = new Counter({
  name: 'fluxo_consolidation_exported_rows_total',
  help: 'Rows written to Parquet, by lake table',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
});

/** Times `work` under the step's label. */
export async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const end = consolidationStepDuration.startTimer({ step });
  try {
    return await work();
  } finally {
    end();
  }
}
