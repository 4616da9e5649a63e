/**
 * A server span per API request when tracing is on: continues the caller's `traceparent` (W3C), and makes the
 * span the active context while the handler runs, so the Temporal client interceptor puts it into the headers
 * of the workflows the handler starts. The context is entered in preHandler (after body parsing, whose stream
 * callbacks would otherwise lose it) and kept until the handler's promise settles.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { tracingFor } from './tracing';

declare module 'fastify' {
  interface FastifyRequest {
    traceContext?: Context;
    traceSpan?: Span;
  }
}

export function installHttpTracing(app: FastifyInstance, config: Config): void {
  if (!tracingFor(config)) return;
  const tracer = trace.getTracer('fluxo-api');
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0], 'fluxo.request_id': String(request.id) } },
      parent,
    );
    request.traceSpan = span;
    request.traceContext = trace.setSpan(parent, span);
    context.with(request.traceContext, done);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    if (request.principal) request.traceSpan?.setAttribute('enduser.id', request.principal);
    if (request.traceContext) context.with(request.traceContext, done);
    else done();
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = request.traceSpan;
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (request.routeOptions.url) span.setAttribute('http.route', request.routeOptions.url);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
