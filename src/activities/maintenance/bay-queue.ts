/**
 * The queue of sagas waiting for a bay cradle (maintenance_bay_waiters). A saga that finds every bay full joins
 * it; whoever frees a cradle signals the oldest waiter's workflow, so waiting costs neither polling nor a worker
 * slot. Best effort by design: a waiter also re-checks on its own timer, so a failed signal only delays it.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { PoolClient } from 'pg';
import { bayFreedSignal } from '../../domain/maintenance/saga';
import type { PostgresStore } from '../../stores/postgres';

/** Joins (or keeps its place in) the queue; in the transaction that found every bay full. */
export async function joinBayQueue(client: PoolClient, maintenanceId: string, shatterdome: string, workflowId: string): Promise<void> {
  await client.query(
    `INSERT INTO maintenance_bay_waiters (maintenance_id, shatterdome, workflow_id) VALUES ($1, $2, $3)
     ON CONFLICT (maintenance_id) DO NOTHING`,
    [maintenanceId, shatterdome, workflowId],
  );
}

/** Leaves the queue: in the transaction that took a cradle, or when the saga ends. */
export async function leaveBayQueue(client: Pick<PoolClient, 'query'>, maintenanceId: string): Promise<void> {
  await client.query('DELETE FROM maintenance_bay_waiters WHERE maintenance_id = $1', [maintenanceId]);
}

/** Signals the oldest waiter of the shatterdome; skips (and removes) waiters whose saga is no longer running. */
export async function wakeOldestWaiter(postgres: PostgresStore, shatterdome: string): Promise<string | undefined> {
  const context = Context.current();
  for (;;) {
    const { rows } = await postgres.pool().query<{ maintenance_id: string; workflow_id: string }>(
      'SELECT maintenance_id, workflow_id FROM maintenance_bay_waiters WHERE shatterdome = $1 ORDER BY queued_at, maintenance_id LIMIT 1',
      [shatterdome],
    );
    const oldest = rows[0];
    if (!oldest) return undefined;
    try {
      await context.client.workflow.getHandle(oldest.workflow_id).signal(bayFreedSignal);
      return oldest.workflow_id;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) {
        context.log.warn('could not wake the next saga waiting for a bay; it will re-check on its own', { error: String(error) });
        return undefined;
      }
      await leaveBayQueue(postgres.pool(), oldest.maintenance_id);
    }
  }
}
