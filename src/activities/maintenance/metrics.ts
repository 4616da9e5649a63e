/** The maintenance saga's business metrics, recorded by its activities on the process registry. */
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const maintenanceSagasTotal = new Counter({
  name: 'fluxo_maintenance_sagas_total',
  help: 'Maintenance sagas ended, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const maintenanceSagaDuration = new Histogram({
  name: 'fluxo_maintenance_saga_duration_seconds',
  help: 'Maintenance saga duration from request to outcome (includes waiting for approval and for the slot)',
  labelNames: ['outcome'] as const,
  buckets: [1, 10, 60, 600, 3600, 6 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600],
  registers: [metricsRegistry],
});

export const maintenanceCompensationsTotal = new Counter({
  name: 'fluxo_maintenance_compensations_total',
  help: 'Compensations run by maintenance sagas, by compensation and result',
  labelNames: ['compensation', 'result'] as const,
  registers: [metricsRegistry],
});
