/**
 * Metrics (issue 10, operations): the real worker process serves /metrics with its business metrics and the
 * Temporal runtime's; the API's /metrics has the HTTP and security metrics and appends the worker's temporal_*
 * families; a taken port costs the metrics, not the worker. The Grafana dashboard only uses metric names
 * that exist in code (or come from the Temporal runtime).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { familiesWithPrefix } from '../../src/observability/worker-metrics';
import { eventually, startTestApi } from '../support/app';

const ROOT = join(__dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function launchWorker(env: Record<string, string>) {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/workers/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, WORKER_TASK_QUEUES: 'system', LOG_LEVEL: 'info', ...env },
  });
  const output = { stdout: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output, exited };
}

test('the worker serves its own and the Temporal runtime\'s metrics; the API appends the runtime\'s', async () => {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const worker = launchWorker({ WORKER_METRICS_BIND_ADDRESS: address });
  const second = { value: undefined as ReturnType<typeof launchWorker> | undefined };
  const api = await startTestApi({ AUTH_MODE: 'none', WORKER_METRICS_URL: `http://${address}/metrics` });
  try {
    await eventually(async () => (worker.output.stdout.includes('worker polling') ? true : undefined), 120_000, 500);
    // Some work, so task and latency metrics have samples.
    const response = await fetch(`${api.url}/v1/probes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'metrics' }) });
    const { probe_id: probeId } = (await response.json()) as { probe_id: string };
    await eventually(async () => {
      const state = (await (await fetch(`${api.url}/v1/probes/${probeId}`)).json()) as { workflow_status: string };
      return state.workflow_status === 'COMPLETED' ? true : undefined;
    });

    const own = await eventually(async () => {
      const text = await (await fetch(`http://${address}/metrics`)).text();
      return /^temporal_workflow_completed_total/m.test(text) ? text : undefined;
    });
    expect(own).toMatch(/^temporal_worker_task_slots_available\{/m);
    expect(own).toMatch(/^temporal_activity_execution_latency_bucket\{/m);
    expect(own).toMatch(/^fluxo_process_cpu_seconds_total /m);

    const merged = await (await fetch(`${api.url}/metrics`)).text();
    expect(merged).toMatch(/^fluxo_worker_metrics_up 1$/m);
    expect(merged).toMatch(/^temporal_workflow_completed_total\{/m);
    expect(merged).toMatch(/^fluxo_http_requests_total\{method="POST",route="\/v1\/probes",status="202"\} /m);
    expect(merged).toMatch(/^fluxo_auth_decisions_total\{mode="none",outcome="ok",reason=""\} /m);
    // One exposition, no family twice (the worker's fluxo_* families stay on the worker's endpoint).
    const families = merged.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]);
    expect(families.length).toBe(new Set(families).size);

    // A second worker on the same metrics address still polls, and says why it has no metrics.
    second.value = launchWorker({ WORKER_METRICS_BIND_ADDRESS: address });
    await eventually(async () => (second.value!.output.stdout.includes('worker polling') ? true : undefined), 120_000, 500);
    expect(second.value.output.stdout).toContain(`worker metrics off: cannot serve them on ${address}`);
  } finally {
    worker.child.kill('SIGTERM');
    second.value?.child.kill('SIGTERM');
    await worker.exited;
    await second.value?.exited;
  }
  const down = await (await fetch(`${api.url}/metrics`)).text();
  expect(down).toMatch(/^fluxo_worker_metrics_up 0$/m);
  await api.close();
}, 300_000);

test('only temporal_* families are taken from the worker', () => {
  const exposition = [
    '# HELP fluxo_process_cpu_seconds_total cpu',
    '# TYPE fluxo_process_cpu_seconds_total counter',
    'fluxo_process_cpu_seconds_total 1',
    '# HELP temporal_num_pollers pollers',
    '# TYPE temporal_num_pollers gauge',
    'temporal_num_pollers{poller_type="workflow_task"} 2',
    '',
  ].join('\n');
  expect(familiesWithPrefix(exposition, 'temporal_')).toBe(
    '# HELP temporal_num_pollers pollers\n# TYPE temporal_num_pollers gauge\ntemporal_num_pollers{poller_type="workflow_task"} 2\n',
  );
});

test('every fluxo_* metric the Grafana dashboard queries is defined in code', () => {
  const dashboard = readFileSync(join(ROOT, 'docs', 'grafana', 'fluxo.json'), 'utf8');
  const queried = new Set([...dashboard.matchAll(/\b(fluxo_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map((match) => match[1]!));
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.ts')) sources.push(readFileSync(join(dir, entry.name), 'utf8'));
    }
  };
  walk(join(ROOT, 'src'));
  const defined = new Set(sources.flatMap((source) => [...source.matchAll(/name: '(fluxo_[a-z_]+)'/g)].map((match) => match[1]!)));
  // Default process metrics (prefix fluxo_) come from prom-client.
  const missing = [...queried].filter((name) => !defined.has(name) && !name.startsWith('fluxo_process_') && !name.startsWith('fluxo_nodejs_') && name !== 'fluxo_worker_metrics_up');
  expect(missing).toEqual([]);
  // The parser found the dashboard's queries (an empty set would pass the check above vacuously).
  expect(queried.size).toBeGreaterThan(5);
});
