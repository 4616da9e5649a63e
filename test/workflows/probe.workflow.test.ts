/** The probe workflow on the time-skipping server: an hour-long durable timer passes in moments. */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createProbeActivities } from '../../src/activities/probe';
import { loadConfig } from '../../src/config';
import { createPostgresStore } from '../../src/stores/postgres';
import { probeWorkflow } from '../../src/workflows/probe';
import { testWorker, timeSkippingEnv, uniqueQueue } from '../support/temporal';

let env: TestWorkflowEnvironment;
const postgres = createPostgresStore(loadConfig());

beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
  await postgres.close();
});

test('holds on a durable timer, then writes the row once', async () => {
  const taskQueue = uniqueQueue('probe');
  const worker = await testWorker(env, { taskQueue, activities: createProbeActivities({ postgres }) });
  const probeId = randomUUID();
  const started = Date.now();
  const result = await worker.runUntil(
    env.client.workflow.execute(probeWorkflow, {
      workflowId: `probe-${probeId}`,
      taskQueue,
      args: [{ probeId, message: 'timer', holdSeconds: 3600, workSeconds: 0, context: { requestId: 'r1', principal: 'test' } }],
    }),
  );
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(result).toMatchObject({ probeId, message: 'timer', requestId: 'r1' });
  const { rows } = await postgres.pool().query('SELECT message FROM system_probes WHERE probe_id = $1', [probeId]);
  expect(rows).toEqual([{ message: 'timer' }]);
});
