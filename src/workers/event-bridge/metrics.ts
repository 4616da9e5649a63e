/** The event bridge's metrics. */
import { Counter } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const bridgeEvents = new Counter({
  name: 'fluxo_alert_bridge_events_total',
  help: 'Kafka messages handled by the alerts event bridge: started (a new evaluation), duplicate, dead_lettered',
  labelNames: ['outcome', 'kind'] as const,
  registers: [metricsRegistry],
});
