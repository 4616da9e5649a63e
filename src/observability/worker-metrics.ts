/**
 * Worker-process metrics. The worker serves `/metrics` on WORKER_METRICS_BIND_ADDRESS with everything it
 * knows: the business metrics its activities record (prom-client, `fluxo_*`) and the Temporal SDK core's own
 * metrics (`temporal_*`: task slots, poll and schedule-to-start latencies, workflow/activity completions and
 * failures, sticky cache), which core serves on a private loopback port that this endpoint reads through.
 * Prometheus scrapes the API and each worker (docs/operations.md). For a one-stop view on a single host the
 * API's /metrics also appends the worker's `temporal_*` families (WORKER_METRICS_URL); only those, because
 * the `fluxo_*` families exist in both processes and would clash in one exposition.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { metricsRegistry } from './metrics';

type WorkerMetricsConfig = Pick<Config, 'WORKER_METRICS_BIND_ADDRESS'>;

/** `telemetryOptions` for `Runtime.install` with core's Prometheus exporter on `bindAddress`. */
export function coreTelemetryOptions(bindAddress: string): RuntimeOptions['telemetryOptions'] {
  return {
    metrics: {
      // Prometheus conventions: counters end in _total, durations in seconds (docs/grafana relies on both).
      prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true },
    },
  };
}

function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  if (colon < 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`WORKER_METRICS_BIND_ADDRESS: ${address} is not host:port`);
  }
  return { host, port };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe, 0, '127.0.0.1');
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface WorkerTelemetry {
  /** The worker's /metrics URL, when serving. */
  url?: string;
  close(): Promise<void>;
}

/**
 * Installs the worker's Temporal runtime and, when WORKER_METRICS_BIND_ADDRESS is set, its /metrics endpoint.
 * A metrics port that is taken costs the metrics, not the worker: it still polls, and says why they are missing.
 */
export async function installWorkerRuntime(
  options: Omit<RuntimeOptions, 'telemetryOptions'>,
  config: WorkerMetricsConfig,
  warn: (message: string) => void,
): Promise<WorkerTelemetry> {
  if (!config.WORKER_METRICS_BIND_ADDRESS) {
    Runtime.install(options);
    return { close: async () => undefined };
  }
  const { host, port } = splitHostPort(config.WORKER_METRICS_BIND_ADDRESS);
  const server = createServer();
  let servedPort: number;
  try {
    servedPort = await listen(server, port, host);
  } catch (error) {
    warn(`worker metrics off: cannot serve them on ${config.WORKER_METRICS_BIND_ADDRESS} (${(error as Error).message}); set WORKER_METRICS_BIND_ADDRESS`);
    Runtime.install(options);
    return { close: async () => undefined };
  }
  const coreUrl = `http://127.0.0.1:${await freeLoopbackPort()}/metrics`;
  Runtime.install({ ...options, telemetryOptions: coreTelemetryOptions(new URL(coreUrl).host) });
  server.on('request', (request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    void (async () => {
      const own = await metricsRegistry.metrics();
      const core = await fetchText(coreUrl);
      response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(`${own}${core}`);
    })().catch((error: Error) => response.writeHead(500).end(error.message));
  });
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${servedPort}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function fetchText(url: string, timeoutMs = 1000): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const text = await response.text();
    return text === '' || text.endsWith('\n') ? text : `${text}\n`;
  } catch {
    return undefined;
  }
}

/** Keeps the lines (samples, HELP, TYPE) of metric families whose name starts with `prefix`. */
export function familiesWithPrefix(exposition: string, prefix: string): string {
  return exposition
    .split('\n')
    .filter((line) => {
      const name = line.startsWith('# HELP ') || line.startsWith('# TYPE ') ? line.split(' ')[2] : line.startsWith('#') ? undefined : line.split(/[{\s]/)[0];
      return name?.startsWith(prefix);
    })
    .map((line) => `${line}\n`)
    .join('');
}

const UP = 'fluxo_worker_metrics_up';
const upLines = (value: 0 | 1) =>
  `# HELP ${UP} Whether the API could read the worker's metrics from WORKER_METRICS_URL\n# TYPE ${UP} gauge\n${UP} ${value}\n`;

/** For the API's /metrics: the worker's Temporal runtime families ('' when WORKER_METRICS_URL is empty). */
export async function workerMetricsText(config: Pick<Config, 'WORKER_METRICS_URL'>): Promise<string> {
  if (!config.WORKER_METRICS_URL) return '';
  const text = await fetchText(config.WORKER_METRICS_URL);
  return text === undefined ? upLines(0) : `${upLines(1)}${familiesWithPrefix(text, 'temporal_')}`;
}
