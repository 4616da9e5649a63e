/** Metrics of the API's security layer: authentication outcomes and quota refusals (docs/grafana dashboard). */
import { Counter } from 'prom-client';
import { metricsRegistry } from './metrics';

export const authDecisions = new Counter({
  name: 'fluxo_auth_decisions_total',
  help: 'Authentication/authorization decisions on protected routes: outcome ok, unauthenticated or forbidden, with the reason',
  labelNames: ['mode', 'outcome', 'reason'] as const,
  registers: [metricsRegistry],
});

export const quotaRejections = new Counter({
  name: 'fluxo_quota_rejections_total',
  help: 'Requests refused with 429 because the principal spent its quota',
  registers: [metricsRegistry],
});
