/**
 * `/health` (the process is alive), `/ready` (503 naming what is down when a required store — by default
 * Temporal and PostgreSQL — does not answer; other stores down → 200 `degraded`, named, because e.g. the
 * ledger keeps accepting entries into its outbox while Kafka is away), `/metrics`.
 */
import type { FastifyInstance } from 'fastify';
import { metricsRegistry } from '../../observability/metrics';
import { workerMetricsText } from '../../observability/worker-metrics';
import type { ApiDeps } from '../deps';
import { ledgerReadyCheck } from '../ledger/intake';

export async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { hide: true } }, async (request, reply) => {
    // The ledger's backlog check is never required: a full or stalled shard answers 503 on intake by itself.
    const checks = [deps.temporalHealth, ...deps.stores.all(), ledgerReadyCheck(deps)];
    const results = await Promise.all(
      checks.map(async (store) => {
        try {
          await store.check();
          return { name: store.name, status: 'up' as const };
        } catch (error) {
          return { name: store.name, status: 'down' as const, error: (error as Error).message };
        }
      }),
    );
    const down = results.filter((result) => result.status === 'down');
    if (down.length === 0) return { status: 'ready', checks: results };
    // Required stores first, so the detail names what made the API unready.
    const isRequired = (result: (typeof down)[number]) => deps.config.READY_REQUIRED_STORES.includes(result.name);
    const ordered = [...down.filter(isRequired), ...down.filter((result) => !isRequired(result))];
    const detail = `down: ${ordered.map((result) => `${result.name} (${result.error})`).join('; ')}`;
    if (!down.some(isRequired)) return { status: 'degraded', detail, checks: results };
    return reply
      .code(503)
      .type('application/problem+json')
      .send({
        type: 'https://fluxo.dev/problems/not-ready',
        title: 'Not ready',
        status: 503,
        detail,
        request_id: String(request.id),
        checks: results,
      });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metricsRegistry.contentType);
    // The worker's Temporal runtime metrics follow the API's own (src/observability/worker-metrics.ts).
    return (await metricsRegistry.metrics()) + (await workerMetricsText(deps.config));
  });
}
