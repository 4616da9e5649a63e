/**
 * The API app factory: Fastify with zod validation, problem+json errors, request ids in pino logs,
 * OpenAPI, metrics, and one route module per domain. `main.ts` listens; tests use `inject` or listen on port 0.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { httpRequestDuration, httpRequestsTotal } from '../observability/metrics';
import type { ApiDeps } from './deps';
import { installErrorHandling } from './error-handler';
import { registerOpenApi } from './openapi';
import { installSecurity } from './auth/install';
import { authRoutes } from './auth/routes';
import { requestIdFrom } from './request-context';
import './route-config';
import { healthRoutes } from './routes/health';
import { codecRoutes } from './routes/codec';
import { probeRoutes } from './routes/probes';
import { scheduleRoutes } from './routes/schedules';
import { ledgerRoutes } from './routes/ledger';
import { maintenanceRoutes } from './routes/maintenance';
import { jaegerRoutes } from './routes/jaegers';
import { catalogRoutes } from './routes/catalog';
import { storageRoutes } from './routes/storage';
import { reportRoutes } from './routes/reports';
import { alertRoutes } from './routes/alerts';
import { insightRoutes } from './routes/insights';

/** Route modules, one per domain. A new domain adds one line. */
const routeModules = [healthRoutes, probeRoutes, ledgerRoutes, authRoutes, scheduleRoutes, codecRoutes, maintenanceRoutes, jaegerRoutes, catalogRoutes, storageRoutes, reportRoutes, alertRoutes, insightRoutes];

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.API_BODY_LIMIT_BYTES,
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    logController: new LogController({
      requestIdLogLabel: 'request_id',
      // Probes from orchestrators would drown the log; tests keep it quiet.
      disableRequestLogging: (request) =>
        deps.config.NODE_ENV === 'test' || ['/health', '/ready', '/metrics'].includes(request.url),
    }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  // Deny by default: a /v1 or /internal route without declared roles is a start-up error, not an open door.
  app.addHook('onRoute', (route) => {
    if (/^\/(v1|internal)\//.test(route.url) && !route.config?.roles?.length) {
      throw new Error(`route ${route.method} ${route.url} declares no roles (config.roles)`);
    }
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    httpRequestsTotal.inc(labels);
    httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
  });

  // Authentication, RBAC, quota, CORS and tracing for every route registered after this line.
  await installSecurity(app, deps);
  await registerOpenApi(app);
  for (const routes of routeModules) await app.register(async (scope) => routes(scope, deps));
  return app;
}
