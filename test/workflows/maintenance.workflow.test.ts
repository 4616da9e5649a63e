/**
 * The maintenance saga on the time-skipping server with its real activities on PostgreSQL: a day-long approval
 * timeout and a slot days ahead pass in moments; every fault leaves the database exactly as it was.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createMaintenanceActivities, type MaintenanceActivityConfig } from '../../src/activities/maintenance';
import { maintenanceCatalog, partLines } from '../../src/domain/maintenance/catalog';
import {
  approveUpdate,
  compensationOf,
  maintenanceErrors,
  maintenanceWorkflowId,
  rejectUpdate,
  sagaActions,
  statusQuery,
  type FaultPoint,
  type MaintenanceSagaInput,
  type MaintenanceStatus,
  type SagaPosition,
} from '../../src/domain/maintenance/saga';
import { loadConfig } from '../../src/config';
import { createPostgresStore } from '../../src/stores/postgres';
import { maintenanceSaga } from '../../src/workflows/maintenance/saga';
import { eventually } from '../support/app';
import { createShatterdome, sagaInput, snapshotResources } from '../support/maintenance-fixtures';
import { testWorker, timeSkippingEnv, uniqueQueue } from '../support/temporal';

let env: TestWorkflowEnvironment;
/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD */
const KEYWORD = 2;
const postgres = createPostgresStore(loadConfig());
const pool = () => postgres.pool();

const activityConfig: MaintenanceActivityConfig = {
  MAINTENANCE_NOTIFY_WEBHOOK_URL: undefined,
  MAINTENANCE_NOTIFY_TIMEOUT_MS: 2000,
  MAINTENANCE_WORK_UNIT_MS: 10,
  MAINTENANCE_ALLOW_FAULT_INJECTION: true,
};

beforeAll(async () => {
  env = await timeSkippingEnv();
  // The time-skipping server starts without fluxo's custom search attributes; the saga upserts two of them.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: { JaegerId: KEYWORD, SagaStep: KEYWORD },
  });
});
afterAll(async () => {
  await env?.teardown();
  await postgres.close();
});

const approver = { approver: 'olivia', roles: ['operator' as const] };

async function withWorker<T>(run: (taskQueue: string) => Promise<T>, config: Partial<MaintenanceActivityConfig> = {}): Promise<T> {
  const taskQueue = uniqueQueue('maintenance');
  const worker: Worker = await testWorker(env, {
    taskQueue,
    activities: createMaintenanceActivities({ postgres }, { ...activityConfig, ...config }),
  });
  return worker.runUntil(run(taskQueue));
}

/** A saga input whose window opens at the test server's "now" (skipped time runs ahead of the wall clock). */
const inputFor = async (jaegerId: string, options: Parameters<typeof sagaInput>[1] = {}) =>
  sagaInput(jaegerId, { windowStart: new Date(await env.currentTimeMs()), ...options });

const start = (taskQueue: string, input: MaintenanceSagaInput) =>
  env.client.workflow.start(maintenanceSaga, { workflowId: maintenanceWorkflowId(input.jaegerId), taskQueue, args: [input] });

async function waitFor(handle: WorkflowHandle, position: SagaPosition, extra: (status: MaintenanceStatus) => boolean = () => true) {
  return eventually(async () => {
    const status = await handle.query(statusQuery);
    return status.position === position && extra(status) ? status : undefined;
  });
}

/** The failure the saga ended with: its ApplicationFailure (type, details) or CancelledFailure. */
async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure | CancelledFailure> {
  const error = await handle.result().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return (error as WorkflowFailedError).cause as ApplicationFailure | CancelledFailure;
}

async function requestRow(maintenanceId: string) {
  return (await pool().query('SELECT * FROM maintenance_requests WHERE maintenance_id = $1', [maintenanceId])).rows[0];
}

async function notificationKinds(maintenanceId: string): Promise<string[]> {
  const { rows } = await pool().query('SELECT kind FROM maintenance_notifications WHERE maintenance_id = $1 ORDER BY created_at, kind', [
    maintenanceId,
  ]);
  return rows.map((row) => row.kind);
}

test('happy path: approved, allocated, scheduled days ahead, executed after a durable timer', async () => {
  const dome = await createShatterdome(pool(), { jaegers: [{ integrity: 41 }], bays: [1] });
  const jaegerId = dome.jaegerIds[0]!;
  const windowStart = new Date((await env.currentTimeMs()) + 3 * 86_400_000);
  const input = await inputFor(jaegerId, { type: 'repair', windowStart });
  const before = await snapshotResources(pool(), dome.shatterdome);

  const result = await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue, input);
    const waiting = await waitFor(handle, 'approval', (status) => status.appliedActions.includes('notify-approvers'));
    expect(waiting.awaiting).toMatch(/approval or rejection by an admin or operator other than requester/);
    expect(waiting.completedSteps).toEqual(['availability']);
    const decided = await handle.executeUpdate(approveUpdate, { args: [{ ...approver, reason: 'hull breach' }] });
    expect(decided).toMatchObject({ decision: 'approved', approver: 'olivia', decisionReason: 'hull breach' });
    return handle.result();
  });

  expect(result).toMatchObject({
    outcome: 'completed',
    position: 'completed',
    completedSteps: ['availability', 'approval', 'allocation', 'scheduling', 'execution'],
    appliedActions: [...sagaActions],
    compensationsRun: [],
    bayId: dome.bayIds[0],
    decision: 'approved',
    approver: 'olivia',
  });
  // The slot is inside the window: it starts when the window opens (the bay was free), a repair's length.
  expect(result.slot).toEqual({
    startsAt: windowStart.toISOString(),
    endsAt: new Date(windowStart.getTime() + maintenanceCatalog.repair.slotHours * 3600_000).toISOString(),
  });

  const after = await snapshotResources(pool(), dome.shatterdome);
  expect(after.jaegers[0]).toMatchObject({ status: 'active', integrity: 100 });
  expect(after.jaegers[0].last_maintained_at).toBeInstanceOf(Date);
  expect(after.bays).toEqual(before.bays); // the cradle is free again
  const taken = Object.fromEntries(partLines('repair').map((line) => [line.sku, line.quantity]));
  for (const part of after.parts) {
    const previous = before.parts.find((row) => row.sku === part.sku)!;
    expect(part.quantity).toBe(previous.quantity - (taken[part.sku] ?? 0));
  }
  expect(after.allocations.map((row) => [row.resource_kind, row.resource_id, row.status])).toEqual([
    ['bay', dome.bayIds[0], 'released'],
    ...partLines('repair').map((line) => ['part', line.sku, 'consumed']),
  ]);
  expect(after.slots).toEqual([expect.objectContaining({ status: 'completed', starts_at: windowStart })]);
  expect(await requestRow(input.maintenanceId)).toMatchObject({ outcome: 'completed', position: 'completed', approver: 'olivia', decision: 'approved' });
  expect(await notificationKinds(input.maintenanceId)).toEqual(['approval-requested']);

  const description = await env.client.workflow.getHandle(maintenanceWorkflowId(jaegerId)).describe();
  expect(description.searchAttributes.SagaStep).toEqual(['completed']);
  expect(description.searchAttributes.JaegerId).toEqual([jaegerId]);
});

test('rejection ends the saga rejected with nothing allocated; the webhook receives the approval request', async () => {
  const received: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(body) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  try {
    const dome = await createShatterdome(pool());
    const input = await inputFor(dome.jaegerIds[0]!);
    const before = await snapshotResources(pool(), dome.shatterdome);
    const result = await withWorker(
      async (taskQueue) => {
        const handle = await start(taskQueue, input);
        await waitFor(handle, 'approval', (status) => status.appliedActions.includes('notify-approvers'));
        await handle.executeUpdate(rejectUpdate, { args: [{ approver: 'marshal', roles: ['admin'], reason: 'jaeger needed on the wall' }] });
        return handle.result();
      },
      { MAINTENANCE_NOTIFY_WEBHOOK_URL: webhook },
    );
    expect(result).toMatchObject({
      outcome: 'rejected',
      decision: 'rejected',
      approver: 'marshal',
      decisionReason: 'jaeger needed on the wall',
      completedSteps: ['availability'],
      compensationsRun: [],
    });
    expect(await snapshotResources(pool(), dome.shatterdome)).toEqual(before);
    expect(await requestRow(input.maintenanceId)).toMatchObject({ outcome: 'rejected', decision: 'rejected', approver: 'marshal' });

    expect(received).toHaveLength(1);
    expect(received[0]!.headers['idempotency-key']).toBe(`${input.maintenanceId}:approval-requested`);
    expect(received[0]!.body).toMatchObject({ kind: 'approval-requested', maintenance_id: input.maintenanceId, audience: ['admin', 'operator'] });
    const { rows } = await pool().query('SELECT delivered_at FROM maintenance_notifications WHERE maintenance_id = $1', [input.maintenanceId]);
    expect(rows[0].delivered_at).toBeInstanceOf(Date);
  } finally {
    server.close();
  }
});

test('the approve/reject validator refuses the requester, non-approvers and a second decision', async () => {
  const dome = await createShatterdome(pool());
  const input = await inputFor(dome.jaegerIds[0]!, { requestedBy: 'raleigh' });
  await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue, input);
    await waitFor(handle, 'approval');
    const refused = async (args: { approver: string; roles: ('admin' | 'operator' | 'viewer' | 'analyst')[] }, verb = approveUpdate) => {
      const error = await handle.executeUpdate(verb, { args: [args] }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      return ((error as WorkflowUpdateFailedError).cause as ApplicationFailure).type;
    };
    expect(await refused({ approver: 'raleigh', roles: ['admin'] })).toBe(maintenanceErrors.selfApproval);
    expect(await refused({ approver: 'tendo', roles: ['viewer', 'analyst'] }, rejectUpdate)).toBe(maintenanceErrors.notAnApprover);
    // Refused updates leave no trace: the saga still waits.
    expect((await handle.query(statusQuery)).decision).toBeNull();
    await handle.executeUpdate(approveUpdate, { args: [approver] });
    expect(await refused({ approver: 'herc', roles: ['operator'] }, rejectUpdate)).toBe(maintenanceErrors.notAwaitingApproval);
    expect(await handle.result()).toMatchObject({ outcome: 'completed', approver: 'olivia', requestedBy: 'raleigh' });
  });
});

test('no decision: a reminder at half the timeout, then rejected by the timeout', async () => {
  const dome = await createShatterdome(pool());
  const input = await inputFor(dome.jaegerIds[0]!, { settings: { approvalTimeoutSeconds: 24 * 3600 } });
  const before = await snapshotResources(pool(), dome.shatterdome);
  const { result, handle } = await withWorker(async (taskQueue) => {
    const started = await start(taskQueue, input);
    return { result: await started.result(), handle: started };
  });
  expect(result).toMatchObject({ outcome: 'rejected', decision: 'rejected', approver: 'system', decisionReason: 'no decision within 86400 s' });
  expect(await notificationKinds(input.maintenanceId)).toEqual(
    expect.arrayContaining(['approval-requested', 'approval-reminder', 'approval-expired']),
  );
  expect(await snapshotResources(pool(), dome.shatterdome)).toEqual(before);

  // When, in the workflow's (skipped) time: the reminder 12 h after the request, the expiry 24 h after.
  const history = await handle.fetchHistory();
  const startedAt = Number(history.events![0]!.eventTime!.seconds);
  const hoursAt = (kind: string) => {
    const event = history.events!.find(
      (candidate) =>
        candidate.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyApprovers' &&
        Buffer.from(candidate.activityTaskScheduledEventAttributes.input!.payloads![0]!.data!).toString().includes(`"kind":"${kind}"`),
    );
    return Math.round((Number(event!.eventTime!.seconds) - startedAt) / 3600);
  };
  expect(hoursAt('approval-requested')).toBe(0);
  expect(hoursAt('approval-reminder')).toBe(12);
  expect(hoursAt('approval-expired')).toBe(24);
});

/** Side effects the saga applies before reaching each fault point, whose compensations must run last-first. */
const appliedBefore = (point: FaultPoint) => (point === 'availability' ? [] : sagaActions.slice(0, sagaActions.indexOf(point) + 1));

test.each(['availability', ...sagaActions] as FaultPoint[])(
  'a failure at %s runs the compensations in reverse and leaves the database exactly as before',
  async (point) => {
    const dome = await createShatterdome(pool(), { bays: [1, 1] });
    const input = await inputFor(dome.jaegerIds[0]!, { faults: { failAt: point } });
    const before = await snapshotResources(pool(), dome.shatterdome);

    const failure = await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input);
      if (point !== 'availability' && point !== 'notify-approvers') {
        await waitFor(handle, 'approval');
        await handle.executeUpdate(approveUpdate, { args: [approver] });
      }
      return failureOf(handle);
    });

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(maintenanceErrors.maintenanceFailed);
    const status = (failure as ApplicationFailure).details![0] as MaintenanceStatus;
    expect(status).toMatchObject({ outcome: 'failed', position: 'failed' });
    expect(status.failure).toMatchObject({ type: maintenanceErrors.injectedFault });
    const expected = appliedBefore(point)
      .map((action) => compensationOf[action])
      .reverse();
    expect(status.compensationsRun.map((run) => run.name)).toEqual(expected);
    // Each effect had committed before its fault, so each is really undone — except the execution, which
    // failed midway through the work and is fenced off instead.
    for (const run of status.compensationsRun) {
      expect(run.result).toBe(run.name === 'void-execution' ? 'nothing-to-undo' : 'undone');
    }

    expect(await snapshotResources(pool(), dome.shatterdome)).toEqual(before);
    const { rows: journal } = await pool().query('SELECT action, status FROM maintenance_saga_steps WHERE maintenance_id = $1', [
      input.maintenanceId,
    ]);
    expect(journal.every((row) => row.status === 'compensated')).toBe(true);
    expect(await requestRow(input.maintenanceId)).toMatchObject({ outcome: 'failed', compensations_run: status.compensationsRun });
    if (expected.includes('withdraw-approval')) expect(await notificationKinds(input.maintenanceId)).toContain('approval-withdrawn');
  },
);

test('cancelled while awaiting approval: the approval request is withdrawn, nothing else was held', async () => {
  const dome = await createShatterdome(pool());
  const input = await inputFor(dome.jaegerIds[0]!);
  const before = await snapshotResources(pool(), dome.shatterdome);
  const { failure, status } = await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue, input);
    await waitFor(handle, 'approval', (current) => current.appliedActions.includes('notify-approvers'));
    await handle.cancel();
    return { failure: await failureOf(handle), status: await handle.query(statusQuery) };
  });
  expect(failure).toBeInstanceOf(CancelledFailure);
  expect(status).toMatchObject({ outcome: 'cancelled', compensationsRun: [{ name: 'withdraw-approval', result: 'undone' }] });
  expect(await snapshotResources(pool(), dome.shatterdome)).toEqual(before);
  expect(await notificationKinds(input.maintenanceId)).toEqual(['approval-requested', 'approval-withdrawn']);
  const description = await env.client.workflow.getHandle(maintenanceWorkflowId(input.jaegerId)).describe();
  expect(description.status.name).toBe('CANCELLED');
  expect(description.searchAttributes.SagaStep).toEqual(['cancelled']);
});

test('cancelled during execution: the heartbeating work stops and every held resource is given back', async () => {
  const dome = await createShatterdome(pool());
  const input = await inputFor(dome.jaegerIds[0]!, { type: 'overhaul', settings: {} });
  const before = await snapshotResources(pool(), dome.shatterdome);
  const status = await withWorker(
    async (taskQueue) => {
      const handle = await start(taskQueue, input);
      await waitFor(handle, 'approval');
      await handle.executeUpdate(approveUpdate, { args: [approver] });
      // Cancel once the execution activity is running (it has heartbeated).
      await eventually(async () => {
        const { raw } = await handle.describe();
        return raw.pendingActivities?.some((activity) => activity.activityType?.name === 'executeMaintenance' && activity.heartbeatDetails)
          ? true
          : undefined;
      });
      await handle.cancel();
      expect(await failureOf(handle)).toBeInstanceOf(CancelledFailure);
      return handle.query(statusQuery);
    },
    { MAINTENANCE_WORK_UNIT_MS: 5000 },
  );
  expect(status.outcome).toBe('cancelled');
  expect(status.failure).toMatchObject({ step: 'execution', type: 'Cancelled' });
  expect(status.compensationsRun).toEqual([
    { name: 'void-execution', result: 'nothing-to-undo' },
    { name: 'cancel-slot', result: 'undone' },
    { name: 'return-parts', result: 'undone' },
    { name: 'release-bay', result: 'undone' },
    { name: 'release-jaeger', result: 'undone' },
    { name: 'withdraw-approval', result: 'undone' },
  ]);
  expect(await snapshotResources(pool(), dome.shatterdome)).toEqual(before);
});

test('a compensation that keeps failing ends the saga compensation_failed, the others still run', async () => {
  const dome = await createShatterdome(pool());
  const input = await inputFor(dome.jaegerIds[0]!, {
    faults: { failAt: 'book-slot', failCompensation: 'release-bay' },
    settings: { compensationMaxAttempts: 3 },
  });
  const before = await snapshotResources(pool(), dome.shatterdome);
  const { failure, queried } = await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue, input);
    await waitFor(handle, 'approval');
    await handle.executeUpdate(approveUpdate, { args: [approver] });
    // A query of a closed run is answered by a worker replaying it: ask while the worker runs.
    return { failure: await failureOf(handle), queried: await handle.query(statusQuery) };
  });
  expect((failure as ApplicationFailure).type).toBe(maintenanceErrors.compensationFailed);
  const status = (failure as ApplicationFailure).details![0] as MaintenanceStatus;
  expect(status.outcome).toBe('compensation_failed');
  expect(status.compensationsRun.map((run) => [run.name, run.result])).toEqual([
    ['cancel-slot', 'undone'],
    ['return-parts', 'undone'],
    ['release-bay', 'failed'],
    ['release-jaeger', 'undone'],
    ['withdraw-approval', 'undone'],
  ]);
  expect(status.compensationsRun[2]!.error).toMatch(/injected fault in compensation release-bay/);

  // Not a silent half-state: the bay cradle is still held, and the saga says so everywhere.
  const after = await snapshotResources(pool(), dome.shatterdome);
  expect(after.bays[0].in_use).toBe(before.bays[0].in_use + 1);
  expect(after.allocations.map((row) => [row.resource_kind, row.status])).toEqual([['bay', 'held']]);
  expect(after.jaegers).toEqual(before.jaegers);
  expect(after.parts).toEqual(before.parts);
  expect(await requestRow(input.maintenanceId)).toMatchObject({ outcome: 'compensation_failed', position: 'compensation_failed' });
  const description = await env.client.workflow.getHandle(maintenanceWorkflowId(input.jaegerId)).describe();
  expect(description.searchAttributes.SagaStep).toEqual(['compensation_failed']);
  expect(queried).toMatchObject({ outcome: 'compensation_failed', position: 'compensation_failed' });
});

test('with every bay full the saga waits for a cradle, then proceeds; the bay is never over-allocated', async () => {
  const dome = await createShatterdome(pool(), { jaegers: [{}, {}], bays: [1] });
  const first = await inputFor(dome.jaegerIds[0]!, { windowStart: new Date((await env.currentTimeMs()) + 86_400_000) });
  const second = await inputFor(dome.jaegerIds[1]!, { settings: { bayRecheckSeconds: 7 * 86_400 } });
  const [one, two] = await withWorker(async (taskQueue) => {
    const handles = [await start(taskQueue, first), await start(taskQueue, second)];
    await waitFor(handles[0]!, 'approval');
    await handles[0]!.executeUpdate(approveUpdate, { args: [approver] });
    // The first holds the only cradle until its slot tomorrow; the second has to wait for it.
    await waitFor(handles[0]!, 'execution');
    await waitFor(handles[1]!, 'approval');
    await handles[1]!.executeUpdate(approveUpdate, { args: [approver] });
    const waiting = await waitFor(handles[1]!, 'allocation', (status) => status.appliedActions.includes('reserve-jaeger'));
    expect(waiting.bayId).toBeNull();
    return [await handles[0]!.result(), await handles[1]!.result()] as const;
  });
  expect(one.outcome).toBe('completed');
  expect(two.outcome).toBe('completed');
  expect(two.bayId).toBe(dome.bayIds[0]);
  // The second could only start once the first had finished with the cradle.
  expect(Date.parse(two.slot!.startsAt)).toBeGreaterThanOrEqual(Date.parse(one.slot!.startsAt));
  const after = await snapshotResources(pool(), dome.shatterdome);
  expect(after.bays[0].in_use).toBe(0);
});
