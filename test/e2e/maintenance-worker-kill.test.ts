/**
 * A real `npm run worker` process killed with SIGKILL in the middle of a saga's execution, then a new worker:
 * the saga continues where it was — the execution resumes from its last heartbeat, nothing is allocated twice
 * and nothing is compensated.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { partLines } from '../../src/domain/maintenance/catalog';
import {
  approveUpdate,
  maintenanceWorkflowId,
  statusQuery,
  type MaintenanceResult,
} from '../../src/domain/maintenance/saga';
import { createPostgresStore } from '../../src/stores/postgres';
import type { ExecutionProgress } from '../../src/activities/maintenance/execution';
import { eventually, startTestWorkers } from '../support/app';
import { createShatterdome, sagaInput, snapshotResources } from '../support/maintenance-fixtures';

const ROOT = join(__dirname, '..', '..');
// Six tasks of three seconds: time to see heartbeats arrive and to kill the worker between them.
const WORK_UNIT_MS = '3000';

/** `npm run worker`'s entry, run by node itself (not the tsx CLI, whose child would outlive a SIGKILL of it). */
function launchWorker() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, WORKER_TASK_QUEUES: 'maintenance', LOG_LEVEL: 'info', MAINTENANCE_WORK_UNIT_MS: WORK_UNIT_MS },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, output, exited };
}

test('SIGKILL of the worker mid-execution, then a new worker: the saga resumes where it was and completes once', async () => {
  const config = loadConfig();
  const postgres = createPostgresStore(config);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = launchWorker();
  try {
    const dome = await createShatterdome(postgres.pool(), { jaegers: [{ integrity: 30 }], bays: [1] });
    const before = await snapshotResources(postgres.pool(), dome.shatterdome);
    await eventually(async () => (worker.output.stdout.includes('worker polling') ? true : undefined), 120_000);

    const input = sagaInput(dome.jaegerIds[0]!, { type: 'overhaul' });
    const handle = await client.workflow.start('maintenanceSaga', {
      workflowId: maintenanceWorkflowId(input.jaegerId),
      taskQueue: 'maintenance',
      args: [input],
    });
    await eventually(async () => ((await handle.query(statusQuery)).position === 'approval' ? true : undefined));
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'olivia', roles: ['operator'] }] });

    // Wait until the server holds a heartbeat showing finished tasks, then kill the worker without warning.
    const tasksDoneSeen = await eventually(async () => {
      const { raw } = await handle.describe();
      const execution = raw.pendingActivities?.find((activity) => activity.activityType?.name === 'executeMaintenance');
      const payload = execution?.heartbeatDetails?.payloads?.[0];
      const progress = payload ? defaultPayloadConverter.fromPayload<ExecutionProgress>(payload) : undefined;
      return progress && progress.tasksDone >= 1 ? progress.tasksDone : undefined;
    }, 60_000);
    worker.child.kill('SIGKILL');
    expect(await worker.exited).toBe('SIGKILL');

    // Frozen mid-saga: still running, the jaeger in maintenance, the cradle held; nothing undone.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const frozen = await snapshotResources(postgres.pool(), dome.shatterdome);
    expect(frozen.jaegers[0]).toMatchObject({ status: 'maintenance', integrity: 30 });
    expect(frozen.bays[0].in_use).toBe(1);

    const workUnit = process.env.MAINTENANCE_WORK_UNIT_MS;
    process.env.MAINTENANCE_WORK_UNIT_MS = WORK_UNIT_MS;
    const next = await startTestWorkers(['maintenance']).finally(() => {
      if (workUnit === undefined) delete process.env.MAINTENANCE_WORK_UNIT_MS;
      else process.env.MAINTENANCE_WORK_UNIT_MS = workUnit;
    });
    let result: MaintenanceResult;
    let status: MaintenanceResult;
    try {
      result = await handle.result();
      status = await handle.query(statusQuery);
    } finally {
      await next.stop();
    }
    expect(result).toMatchObject({
      outcome: 'completed',
      completedSteps: ['availability', 'approval', 'allocation', 'scheduling', 'execution'],
      compensationsRun: [],
    });
    expect(status.outcome).toBe('completed');

    // The execution ran again on the new worker (after the heartbeat timeout) and resumed from its heartbeat.
    const history = await handle.fetchHistory();
    const scheduled = history.events!.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'executeMaintenance')!;
    const started = history.events!.find(
      (event) => event.activityTaskStartedEventAttributes && String(event.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled.eventId),
    )!;
    expect(started.activityTaskStartedEventAttributes!.attempt).toBeGreaterThanOrEqual(2);
    const completed = history.events!.find(
      (event) => event.activityTaskCompletedEventAttributes && String(event.activityTaskCompletedEventAttributes.scheduledEventId) === String(scheduled.eventId),
    )!;
    const executed = defaultPayloadConverter.fromPayload<{ resumedFrom: number }>(completed.activityTaskCompletedEventAttributes!.result!.payloads![0]!);
    expect(executed.resumedFrom).toBeGreaterThanOrEqual(tasksDoneSeen);

    // Exactly once: parts taken once, the cradle freed once, one row per side effect in the journal.
    const after = await snapshotResources(postgres.pool(), dome.shatterdome);
    expect(after.jaegers[0]).toMatchObject({ status: 'active', integrity: 100 });
    expect(after.bays).toEqual(before.bays);
    for (const line of partLines('overhaul')) {
      const was = before.parts.find((row) => row.sku === line.sku)!.quantity;
      expect(after.parts.find((row) => row.sku === line.sku)!.quantity).toBe(was - line.quantity);
    }
    const { rows: journal } = await postgres
      .pool()
      .query('SELECT action, status FROM maintenance_saga_steps WHERE maintenance_id = $1 ORDER BY action', [input.maintenanceId]);
    expect(journal).toEqual([
      { action: 'allocate-bay', status: 'settled' },
      { action: 'allocate-parts', status: 'settled' },
      { action: 'book-slot', status: 'settled' },
      { action: 'execute', status: 'applied' },
      { action: 'notify-approvers', status: 'applied' },
      { action: 'reserve-jaeger', status: 'settled' },
    ]);
  } finally {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await postgres.close();
    await connection.close();
  }
}, 240_000);
