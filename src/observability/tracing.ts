/**
 * OpenTelemetry tracing, off by default (TRACING_ENABLED). When on, one tracer provider per process exports
 * spans over OTLP/HTTP; the Temporal interceptors carry the W3C trace context from the API's HTTP span
 * through the client into the workflow and its activities, so one trace shows request → workflow → activity.
 * The workflow side needs its interceptor module inside the workflow bundle: see tracingWorkflowModules.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';

type TracingConfig = Pick<Config, 'TRACING_ENABLED' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SERVICE_NAME'>;

export interface Tracing {
  provider: NodeTracerProvider;
  spanProcessor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/**
 * Starts tracing for this process (once; later calls return the same provider). `exporter` replaces the
 * OTLP exporter (tests use an in-memory one).
 */
export function startTracing(config: TracingConfig, exporter?: SpanExporter): Tracing {
  if (active) return active;
  const resource = new Resource({ 'service.name': config.OTEL_SERVICE_NAME });
  const spanProcessor = new BatchSpanProcessor(exporter ?? new OTLPTraceExporter({ url: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }), {
    scheduledDelayMillis: 500,
  });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Registers the global tracer, the W3C traceparent propagator and the AsyncLocalStorage context manager.
  provider.register();
  active = {
    provider,
    spanProcessor,
    resource,
    async shutdown() {
      await provider.shutdown();
      active = undefined;
    },
  };
  return active;
}

/** The process's tracing when TRACING_ENABLED (started on first use), otherwise undefined. */
export function tracingFor(config: TracingConfig): Tracing | undefined {
  if (active) return active;
  return config.TRACING_ENABLED ? startTracing(config) : undefined;
}

/** Interceptors for a Temporal Client: injects the current trace context into workflow starts and signals. */
export function clientTracingInterceptors(config: TracingConfig): ClientInterceptors | undefined {
  return tracingFor(config) ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/** Worker options for tracing: activity interceptors and the sink workflows export their spans through. */
export function workerTracingOptions(config: TracingConfig): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = tracingFor(config);
  if (!tracing) return {};
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}

/**
 * Workflow interceptor modules to bundle (`bundleWorkflowCode({ workflowInterceptorModules })`): only when
 * tracing is on, because the workflow interceptors export through a sink that only a tracing worker registers.
 */
export function tracingWorkflowModules(config: Pick<Config, 'TRACING_ENABLED'>): string[] {
  return config.TRACING_ENABLED || active ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : [];
}
