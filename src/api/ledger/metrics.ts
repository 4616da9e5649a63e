/** The ledger intake's business metrics, on the process registry served at /metrics. */
import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const ledgerIntakeEntries = new Counter({
  name: 'fluxo_ledger_intake_entries_total',
  help: 'Ledger entries answered by the API, by outcome (accepted, duplicate, conflict, unavailable)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const ledgerSignalEntries = new Histogram({
  name: 'fluxo_ledger_signal_entries',
  help: 'Entries per signal sent to a shard (micro-batch size)',
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
  registers: [metricsRegistry],
});

export const ledgerSignalDuration = new Histogram({
  name: 'fluxo_ledger_signal_duration_seconds',
  help: 'Claim + signal-with-start time per micro-batch',
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.08, 0.1, 0.25, 0.5, 1, 5],
  registers: [metricsRegistry],
});

export const ledgerShardBacklog = new Gauge({
  name: 'fluxo_ledger_shard_backlog',
  help: 'Entries waiting in a shard buffer as last estimated by this API process',
  labelNames: ['shard'] as const,
  registers: [metricsRegistry],
});
