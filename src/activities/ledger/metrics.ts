/** The ledger's persistence metrics, recorded by the flush activity on the worker's registry. */
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const ledgerPersistedEntries = new Counter({
  name: 'fluxo_ledger_persisted_entries_total',
  help: 'Ledger entries written to PostgreSQL by flushes (a retried flush that found its batch committed adds none)',
  registers: [metricsRegistry],
});

export const ledgerFlushDuration = new Histogram({
  name: 'fluxo_ledger_flush_duration_seconds',
  help: 'Duration of one flush statement (entries, outbox and control row of a batch)',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
