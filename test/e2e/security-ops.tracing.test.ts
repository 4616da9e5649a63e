/**
 * Tracing (issue 10, operations): off by default; when on, the caller's W3C `traceparent` continues through the
 * API's server span into the workflow start (its header in Temporal's history), and a traced worker continues
 * the trace through the workflow into its activities. Spans are read from an in-memory exporter.
 */
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createProbeActivities } from '../../src/activities/probe';
import { loadConfig } from '../../src/config';
import type { ProbeInput } from '../../src/domain/probe';
import { clientTracingInterceptors, startTracing, tracingWorkflowModules, workerTracingOptions, type Tracing } from '../../src/observability/tracing';
import { createStores } from '../../src/stores';
import { connectTemporal } from '../../src/stores/temporal';
import { loadWorkflowBundle, WORKFLOWS_PATH } from '../setup/workflow-bundle';
import { startTestApi, type TestApi } from '../support/app';
import { json } from '../support/http';
import { quietRuntime, uniqueQueue } from '../support/temporal';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let api: TestApi;

const TRACE_ID = randomUUID().replace(/-/g, '');
const PARENT_SPAN = TRACE_ID.slice(0, 16);

test('tracing is off by default: no client or worker interceptors, no workflow modules', () => {
  const config = loadConfig({});
  expect(config.TRACING_ENABLED).toBe(false);
  expect(clientTracingInterceptors(config)).toBeUndefined();
  expect(workerTracingOptions(config)).toEqual({});
  expect(tracingWorkflowModules(config)).toEqual([]);
});

describe('with tracing on', () => {
  beforeAll(async () => {
    tracing = startTracing(loadConfig({ ...process.env, TRACING_ENABLED: 'true' }), exporter);
    api = await startTestApi({ AUTH_MODE: 'none', TRACING_ENABLED: 'true' });
  });
  afterAll(async () => {
    await api?.close();
    await tracing?.shutdown();
  });

  const spans = async (traceId: string): Promise<ReadableSpan[]> => {
    await tracing.spanProcessor.forceFlush();
    return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  };

  test('an HTTP traceparent continues into the server span, the workflow start and the workflow\'s header', async () => {
    const response = await fetch(`${api.url}/v1/probes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01`, 'x-user-id': 'tracer' },
      body: JSON.stringify({ message: 'traced over HTTP' }),
    });
    expect(response.status).toBe(202);
    const { workflow_id: workflowId } = await json(response);

    const found = await spans(TRACE_ID);
    const server = found.find((span) => span.name === 'POST /v1/probes');
    expect(server?.parentSpanId).toBe(PARENT_SPAN);
    expect(server?.attributes).toMatchObject({ 'http.response.status_code': 202, 'enduser.id': 'tracer', 'http.route': '/v1/probes' });
    const start = found.find((span) => span.name === 'StartWorkflow:probeWorkflow');
    expect(start?.parentSpanId).toBe(server?.spanContext().spanId);

    // The workflow carries the trace in its start header, so whichever (traced) worker runs it continues it.
    const history = await api.temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const header = history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.['_tracer-data'];
    expect(Buffer.from(header?.data ?? []).toString()).toContain(TRACE_ID);
    // No worker of this test runs it; do not leave it behind for others' workers.
    await api.temporal.client.workflow.getHandle(workflowId).terminate('tracing test done').catch(() => undefined);
  });

  test('a traced worker continues the trace through the workflow into its activity', async () => {
    quietRuntime();
    const config = loadConfig({ ...process.env, TRACING_ENABLED: 'true' });
    const taskQueue = uniqueQueue('tracing');
    const workflowBundle = await tracedBundle();
    const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    const stores = createStores(config);
    const temporal = await connectTemporal(config);
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowBundle,
      activities: createProbeActivities(stores),
      ...workerTracingOptions(config),
    });
    const running = worker.run();
    try {
      const probeId = randomUUID();
      const input: ProbeInput = { probeId, message: 'traced in the worker', holdSeconds: 0, workSeconds: 0, context: { requestId: 'trace-test', principal: 'tracer' } };
      const traceId = await trace.getTracer('test').startActiveSpan('operator request', async (root) => {
        await temporal.client.workflow.execute('probeWorkflow', { workflowId: `probe-${probeId}`, taskQueue, args: [input] });
        root.end();
        return root.spanContext().traceId;
      });
      const names = (await spans(traceId)).map((span) => span.name);
      expect(names).toEqual(expect.arrayContaining(['operator request', 'StartWorkflow:probeWorkflow', 'RunWorkflow:probeWorkflow', 'StartActivity:recordProbe', 'RunActivity:recordProbe']));
    } finally {
      worker.shutdown();
      await running;
      await temporal.close();
      await stores.close();
      await connection.close();
    }
  }, 180_000);

  test('histories recorded without tracing replay with the traced bundle (tracing can be switched on for running workflows)', async () => {
    const config = loadConfig({ ...process.env, TRACING_ENABLED: 'true' });
    const dir = join(__dirname, '..', 'replay', 'histories');
    const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
    const workflowBundle = await tracedBundle();
    const replayed: string[] = [];
    for (const file of files) {
      const history: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const name = file.replace(/\.json$/, '');
      // Only what tracing changes is judged here: a history the plain bundle cannot replay is test/replay's business.
      const plain = await Worker.runReplayHistory({ workflowBundle: loadWorkflowBundle() }, history, name).then(() => true, () => false);
      if (!plain) continue;
      await Worker.runReplayHistory({ workflowBundle, ...workerTracingOptions(config) }, history, name);
      replayed.push(name);
    }
    expect(replayed).toContain('probeWorkflow-hold-then-write');
  }, 300_000);
});

let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow interceptors must be inside the bundle: tracing needs its own bundle (built once here). */
function tracedBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: tracingWorkflowModules({ TRACING_ENABLED: true }), logger: silent });
  return bundle;
}

const noop = () => undefined;
const silent = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
