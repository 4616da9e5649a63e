/**
 * The real `npm run worker` / `npm run api` processes: one clear line and a non-zero exit for bad
 * configuration or an unreachable Temporal; SIGTERM drains in-flight activities before exiting.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createPostgresStore } from '../../src/stores/postgres';
import { loadConfig } from '../../src/config';
import { eventually, startTestWorkers } from '../support/app';

const ROOT = join(__dirname, '..', '..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function launch(entry: string, env: Record<string, string>) {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [entry], { cwd: ROOT, env: { ...process.env, ...env } });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code) => resolve({ code, ...output })));
  return { child, output, exited };
}

test.each([
  ['worker', 'src/workers/main.ts'],
  ['api', 'src/api/main.ts'],
])('%s exits 1 with one line when Temporal is unreachable', async (name, entry) => {
  const { exited } = launch(entry, { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_CONNECT_TIMEOUT_MS: '2000', API_PORT: '0' });
  const exit = await exited;
  expect(exit.code).toBe(1);
  expect(exit.stderr.trim()).toMatch(
    new RegExp(`^${name}: cannot reach Temporal at 127\\.0\\.0\\.1:1: (connection refused|no answer before the connect timeout)$`),
  );
}, 120_000);

test('a wrong setting stops start-up with one line naming the variable', async () => {
  const { exited } = launch('src/api/main.ts', { API_PORT: 'abc' });
  const exit = await exited;
  expect(exit.code).toBe(1);
  expect(exit.stderr.trim().split('\n')).toHaveLength(1);
  expect(exit.stderr).toMatch(/^api: invalid configuration: API_PORT: /);
}, 120_000);

test('SIGTERM lets the in-flight activity finish, then the worker exits 0', async () => {
  const config = loadConfig();
  const worker = launch('src/workers/main.ts', { WORKER_TASK_QUEUES: 'system', LOG_LEVEL: 'info' });
  await eventually(async () => (worker.output.stdout.includes('worker polling') ? true : undefined), 60_000);

  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const postgres = createPostgresStore(config);
  try {
    const probeId = randomUUID();
    const handle = await client.workflow.start('probeWorkflow', {
      workflowId: `probe-${probeId}`,
      taskQueue: 'system',
      args: [{ probeId, message: 'drain me', holdSeconds: 0, workSeconds: 4, context: { requestId: 'sigterm', principal: 'test' } }],
    });
    await eventually(async () => {
      const { raw } = await handle.describe();
      return raw.pendingActivities?.some((activity) => Number(activity.attempt) === 1 && activity.lastStartedTime) ? true : undefined;
    });

    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    // The activity completed during the drain: its row is there and it was not retried.
    const { rows } = await postgres.pool().query('SELECT message FROM system_probes WHERE probe_id = $1', [probeId]);
    expect(rows).toEqual([{ message: 'drain me' }]);

    // The workflow finishes on the next worker.
    const next = await startTestWorkers(['system']);
    try {
      expect(await handle.result()).toMatchObject({ probeId, message: 'drain me' });
    } finally {
      await next.stop();
    }
  } finally {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await postgres.close();
    await connection.close();
  }
}, 120_000);
