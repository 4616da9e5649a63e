/**
 * The Temporal worker's own metrics (task slots, poll and schedule-to-start latencies, workflow/activity
 * completions and failures, sticky cache) come from the SDK's Rust core, which serves them in Prometheus
 * format on WORKER_METRICS_BIND_ADDRESS. The API's /metrics appends them (WORKER_METRICS_URL), so one scrape
 * target shows both on a single host; with several workers, scrape each worker's endpoint directly.
 */
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Config } from '../config';

/** `telemetryOptions` for `Runtime.install` in the worker process; undefined when worker metrics are off. */
export function workerTelemetryOptions(config: Pick<Config, 'WORKER_METRICS_BIND_ADDRESS'>): RuntimeOptions['telemetryOptions'] {
  if (!config.WORKER_METRICS_BIND_ADDRESS) return undefined;
  return {
    metrics: {
      // Prometheus conventions: counters end in _total, durations in seconds (docs/grafana relies on both).
      prometheus: { bindAddress: config.WORKER_METRICS_BIND_ADDRESS, countersTotalSuffix: true, useSecondsForDurations: true },
      globalTags: { process: 'worker' },
    },
  };
}

/**
 * Installs the worker's Temporal runtime with metrics when configured. A metrics port that is taken costs the
 * metrics, not the worker: it still polls, and says why its metrics are missing.
 */
export function installWorkerRuntime(
  options: Omit<RuntimeOptions, 'telemetryOptions'>,
  config: Pick<Config, 'WORKER_METRICS_BIND_ADDRESS'>,
  warn: (message: string) => void,
): void {
  const telemetryOptions = workerTelemetryOptions(config);
  if (telemetryOptions) {
    try {
      Runtime.install({ ...options, telemetryOptions });
      return;
    } catch (error) {
      warn(`worker metrics off: cannot serve them on ${config.WORKER_METRICS_BIND_ADDRESS} (${(error as Error).message}); set WORKER_METRICS_BIND_ADDRESS`);
    }
  }
  Runtime.install(options);
}

const UP = 'fluxo_worker_metrics_up';
const upLines = (value: 0 | 1) =>
  `# HELP ${UP} Whether the API could read the worker's Temporal metrics from WORKER_METRICS_URL\n# TYPE ${UP} gauge\n${UP} ${value}\n`;

/** The worker's metrics text to append to the API's /metrics ('' when WORKER_METRICS_URL is empty). */
export async function workerMetricsText(config: Pick<Config, 'WORKER_METRICS_URL'>, timeoutMs = 1000): Promise<string> {
  if (!config.WORKER_METRICS_URL) return '';
  try {
    const response = await fetch(config.WORKER_METRICS_URL, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return upLines(0);
    const text = await response.text();
    return `${upLines(1)}${text.endsWith('\n') || text === '' ? text : `${text}\n`}`;
  } catch {
    return upLines(0);
  }
}
