/**
 * Fifty sagas on fifty jaegers of one shatterdome at once, with five bay cradles and exactly enough parts for
 * all of them: every saga completes, cradles are never over-allocated and no part count ever goes negative.
 * (The 500-saga run with its timings is `npm run bench:maintenance`.)
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createMaintenanceActivities } from '../../src/activities/maintenance';
import { loadConfig } from '../../src/config';
import { createPostgresStore } from '../../src/stores/postgres';
import { loadWorkflowBundle } from '../setup/workflow-bundle';
import { runConcurrentSagas } from '../support/maintenance-load';
import { quietRuntime, uniqueQueue } from '../support/temporal';

test('50 concurrent sagas with automatic approval all complete; bays and parts are never over-allocated', async () => {
  quietRuntime();
  const config = loadConfig();
  const postgres = createPostgresStore(config);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const taskQueue = uniqueQueue('maintenance-load');
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowBundle: loadWorkflowBundle(),
    activities: createMaintenanceActivities({ postgres }, { ...config, MAINTENANCE_WORK_UNIT_MS: 0, MAINTENANCE_ALLOW_FAULT_INJECTION: false }),
  });
  try {
    const result = await worker.runUntil(
      runConcurrentSagas({ client, pool: postgres.pool(), taskQueue, sagas: 50, bays: [3, 2], type: 'repair' }),
    );
    expect(result.outcomes).toEqual({ completed: 50 });
    // Watched while it ran: never more jaegers in a bay than cradles, never a negative shelf.
    expect(result.samples).toBeGreaterThan(0);
    expect(result.worstBayHeadroom).toBeLessThanOrEqual(0);
    expect(result.lowestPartCount).toBeGreaterThanOrEqual(0);
    // After: every cradle free, exactly the stock for fifty repairs consumed — no part taken twice or lost.
    expect(result.baysInUseAfter).toBe(0);
    expect(result.partsAfter).toEqual({ ...result.partsBefore, 'hull-plate': 0, 'servo-actuator': 0 });
    expect(result.partsBefore).toMatchObject({ 'hull-plate': 200, 'servo-actuator': 100 });
    expect(result.allocationRows).toEqual([
      { kind: 'bay', status: 'released', count: 50 },
      { kind: 'part', status: 'consumed', count: 100 },
    ]);
  } finally {
    await postgres.close();
    await connection.close();
    await workerConnection.close();
  }
}, 240_000);
