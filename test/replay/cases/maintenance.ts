/**
 * Recorded maintenance sagas: approved and completed, rejected, expired without a decision (the timers of the
 * reminder and the timeout), and cancelled while waiting for its slot (every compensation in reverse). Each
 * seeds its own shatterdome in the test database before it starts.
 */
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { loadConfig } from '../../../src/config';
import { approveUpdate, maintenanceWorkflowId, rejectUpdate, statusQuery } from '../../../src/domain/maintenance/saga';
import { migrate } from '../../../src/stores/migrate';
import { createPostgresStore } from '../../../src/stores/postgres';
import { createShatterdome, sagaInput } from '../../support/maintenance-fixtures';
import type { ReplayCase } from '../replay-case';

async function startSaga(
  client: Client,
  settings: { approvalTimeoutSeconds?: number } = {},
  windowStart?: Date,
): Promise<WorkflowHandle> {
  const postgres = createPostgresStore(loadConfig());
  try {
    await migrate(postgres.pool());
    const dome = await createShatterdome(postgres.pool(), { jaegers: [{ integrity: 35 }], bays: [1] });
    const input = sagaInput(dome.jaegerIds[0]!, { type: 'inspection', requestedBy: 'recorder', settings, windowStart });
    return await client.workflow.start('maintenanceSaga', {
      workflowId: maintenanceWorkflowId(input.jaegerId),
      taskQueue: 'maintenance',
      args: [input],
    });
  } finally {
    await postgres.close();
  }
}

async function whenAwaitingApproval(handle: WorkflowHandle): Promise<void> {
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.position === 'approval' && status.appliedActions.includes('notify-approvers')) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The recorder records a run once `handle.result()` resolves; a saga cancelled on purpose ends with a
 * CancelledFailure, which this handle's `result()` treats as the expected end (anything else still throws).
 */
function endingCancelled(handle: WorkflowHandle): WorkflowHandle {
  return {
    ...handle,
    result: () =>
      handle.result().catch((error: unknown) => {
        if (error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure) return undefined;
        throw error;
      }),
  };
}

export const cases: ReplayCase[] = [
  {
    name: 'maintenanceSaga-approved-completed',
    taskQueues: ['maintenance'],
    start: (client) => startSaga(client),
    async drive(_client, handle) {
      await whenAwaitingApproval(handle);
      await handle.executeUpdate(approveUpdate, { args: [{ approver: 'replay-approver', roles: ['operator'], reason: 'recorded' }] });
    },
  },
  {
    name: 'maintenanceSaga-rejected',
    taskQueues: ['maintenance'],
    start: (client) => startSaga(client),
    async drive(_client, handle) {
      await whenAwaitingApproval(handle);
      await handle.executeUpdate(rejectUpdate, { args: [{ approver: 'replay-approver', roles: ['admin'], reason: 'recorded' }] });
    },
  },
  {
    name: 'maintenanceSaga-approval-expired',
    taskQueues: ['maintenance'],
    start: (client) => startSaga(client, { approvalTimeoutSeconds: 4 }),
  },
  {
    name: 'maintenanceSaga-cancelled-compensated',
    taskQueues: ['maintenance'],
    // The slot an hour ahead: after allocation and scheduling the saga sleeps until it, and is cancelled there.
    start: async (client) => endingCancelled(await startSaga(client, {}, new Date(Date.now() + 3600_000))),
    async drive(_client, handle) {
      await whenAwaitingApproval(handle);
      await handle.executeUpdate(approveUpdate, { args: [{ approver: 'replay-approver', roles: ['operator'] }] });
      for (;;) {
        const status = await handle.query(statusQuery);
        if (status.position === 'execution' && status.appliedActions.includes('book-slot')) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await handle.cancel();
    },
  },
];
