/**
 * The queue of sagas waiting for a bay cradle (maintenance_bay_waiters). A saga that finds every bay full joins
 * it; whoever frees a cradle signals the oldest waiter's workflow, so waiting costs neither polling nor a worker
 * slot. Best effort by design: a waiter also re-checks on its own timer, so a failed signal only delays it.
 *
 * A signalled waiter is marked woken, so the next freed cradle wakes the next waiter rather than the same one
 * again; it is wakeable again once it re-joins (every bay was full again when it tried), keeping its place.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { PoolClient } from 'pg';
import { bayFreedSignal } from '../../domain/maintenance/saga';
import type { PostgresStore } from '../../stores/postgres';

/** Joins (or keeps its place in, waiting again) the queue; in the transaction that found every bay full. */
export async function joinBayQueue(client: Pick<PoolClient, 'query'>, maintenanceId: string, shatterdome: string, workflowId: string): Promise<void> {
  await client.query(
    `INSERT INTO maintenance_bay_waiters (maintenance_id, shatterdome, workflow_id) VALUES ($1, $2, $3)
     ON CONFLICT (maintenance_id) DO UPDATE SET woken_at = NULL`,
    [maintenanceId, shatterdome, workflowId],
  );
}

/** Leaves the queue: in the transaction that took a cradle, or when the saga ends. */
export async function leaveBayQueue(client: Pick<PoolClient, 'query'>, maintenanceId: string): Promise<void> {
  await client.query('DELETE FROM maintenance_bay_waiters WHERE maintenance_id = $1', [maintenanceId]);
}

export interface ClaimedWaiter {
  maintenance_id: string;
  workflow_id: string;
}

/**
 * Marks the oldest waiter of the shatterdome not yet woken as woken and returns it. SKIP LOCKED: two cradles
 * freed at once claim two different waiters instead of queueing behind each other for the same row.
 */
export async function claimOldestWaiter(pool: Pick<PoolClient, 'query'>, shatterdome: string): Promise<ClaimedWaiter | undefined> {
  const { rows } = await pool.query<ClaimedWaiter>(
    `UPDATE maintenance_bay_waiters SET woken_at = now()
     WHERE maintenance_id = (SELECT maintenance_id FROM maintenance_bay_waiters
                             WHERE shatterdome = $1 AND woken_at IS NULL
                             ORDER BY queued_at, maintenance_id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING maintenance_id, workflow_id`,
    [shatterdome],
  );
  return rows[0];
}

/** Signals the oldest waiter not yet woken; skips (and removes) waiters whose saga is no longer running. */
export async function wakeOldestWaiter(postgres: PostgresStore, shatterdome: string): Promise<string | undefined> {
  const context = Context.current();
  for (;;) {
    const oldest = await claimOldestWaiter(postgres.pool(), shatterdome);
    if (!oldest) return undefined;
    try {
      await context.client.workflow.getHandle(oldest.workflow_id).signal(bayFreedSignal);
      return oldest.workflow_id;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) {
        context.log.warn('could not wake the next saga waiting for a bay; it will re-check on its own', { error: String(error) });
        // Not woken after all: leave it wakeable by the next freed cradle.
        await postgres.pool().query('UPDATE maintenance_bay_waiters SET woken_at = NULL WHERE maintenance_id = $1', [oldest.maintenance_id]);
        return undefined;
      }
      await leaveBayQueue(postgres.pool(), oldest.maintenance_id);
    }
  }
}
