/** `/health` (the process is alive), `/ready` (every store answers; 503 naming what is down), `/metrics`. */
import type { FastifyInstance } from 'fastify';
import { metricsRegistry } from '../../observability/metrics';
import { workerMetricsText } from '../../observability/worker-metrics';
import type { ApiDeps } from '../deps';

export async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { hide: true } }, async (request, reply) => {
    const checks = [deps.temporalHealth, ...deps.stores.all()];
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
    return reply
      .code(503)
      .type('application/problem+json')
      .send({
        type: 'https://fluxo.dev/problems/not-ready',
        title: 'Not ready',
        status: 503,
        detail: `down: ${down.map((result) => `${result.name} (${result.error})`).join('; ')}`,
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
