/** The catalog's business metrics, recorded by its activities on the process registry. */
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const catalogImportRowsTotal = new Counter({
  name: 'fluxo_catalog_import_rows_total',
  help: 'CSV data rows read by catalog imports, by result (valid, invalid)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export const catalogImportsTotal = new Counter({
  name: 'fluxo_catalog_imports_total',
  help: 'Catalog CSV imports finished loading, by outcome (loaded, rejected)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const catalogStepDuration = new Histogram({
  name: 'fluxo_catalog_step_duration_seconds',
  help: 'Duration of catalog publish activities, by step',
  labelNames: ['step'] as const,
  buckets: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
  registers: [metricsRegistry],
});

export const catalogPublicationsTotal = new Counter({
  name: 'fluxo_catalog_publications_total',
  help: 'Catalog versions that ended, by outcome (published, failed)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/** Times `work` under the step's label. */
export async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const end = catalogStepDuration.startTimer({ step });
  try {
    return await work();
  } finally {
    end();
  }
}
