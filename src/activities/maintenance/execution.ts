/**
 * Execution: the crew works through the type's tasks (heartbeating after each, so a retry on another worker
 * resumes where the last heartbeat left off and a cancellation reaches it), then one transaction finishes the
 * maintenance: integrity 100, status active, the bay cradle freed, the parts consumed, the slot completed, and
 * the saga's held resources marked `settled` so no later compensation can undo a maintenance that happened.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { maintenanceCatalog } from '../../domain/maintenance/catalog';
import { maintenanceErrors, type SagaRef } from '../../domain/maintenance/saga';
import type { PostgresStore } from '../../stores/postgres';
import type { FaultGate } from './faults';
import { wakeOldestWaiter } from './bay-queue';
import { applyOnce, type UndoResult } from './step-journal';

const HEARTBEAT_SLICE_MS = 1000;

export interface ExecutionProgress {
  tasksDone: number;
}

export type ExecutionResult =
  | { completedAt: string; integrity: number; tasks: number; resumedFrom: number; shatterdome: string }
  | { fenced: true };

export function createExecutionActivities(postgres: PostgresStore, faults: FaultGate, workUnitMs: number) {
  return {
    async executeMaintenance(ref: SagaRef & { bayId: string }): Promise<ExecutionResult> {
      const context = Context.current();
      const tasks = maintenanceCatalog[ref.type].tasks;
      const resumedFrom = (context.info.heartbeatDetails as ExecutionProgress | undefined)?.tasksDone ?? 0;
      for (let done = resumedFrom; done < tasks.length; done++) {
        if (done === Math.floor(tasks.length / 2)) faults.failIfAsked('execute', ref.faults);
        // The task's work, in slices short enough to heartbeat well within the heartbeat timeout. `sleep`
        // rejects with a CancelledFailure when the saga is cancelled (delivered on a heartbeat's answer).
        for (let worked = 0; worked < workUnitMs; worked += HEARTBEAT_SLICE_MS) {
          context.heartbeat({ tasksDone: done } satisfies ExecutionProgress);
          await context.sleep(Math.min(HEARTBEAT_SLICE_MS, workUnitMs - worked));
        }
        context.heartbeat({ tasksDone: done + 1 } satisfies ExecutionProgress);
      }
      const result = await applyOnce(postgres, ref.maintenanceId, 'execute', async (client) => {
        const jaeger = await client.query(
          `UPDATE jaegers SET integrity = 100, status = 'active', last_maintained_at = now()
           WHERE jaeger_id = $1 AND status = 'maintenance' RETURNING jaeger_id`,
          [ref.jaegerId],
        );
        if (jaeger.rowCount !== 1) {
          throw ApplicationFailure.nonRetryable(`${ref.jaegerId} left maintenance status during the work`, maintenanceErrors.jaegerUnavailable);
        }
        const bay = await client.query<{ shatterdome: string }>(
          'UPDATE maintenance_bays SET in_use = in_use - 1 WHERE bay_id = $1 AND in_use > 0 RETURNING shatterdome',
          [ref.bayId],
        );
        if (bay.rowCount !== 1) throw new Error(`bay ${ref.bayId} shows no cradle in use to free`);
        await client.query(
          `UPDATE maintenance_allocations SET status = CASE resource_kind WHEN 'bay' THEN 'released' ELSE 'consumed' END
           WHERE maintenance_id = $1 AND status = 'held'`,
          [ref.maintenanceId],
        );
        await client.query(`UPDATE maintenance_schedule_slots SET status = 'completed' WHERE maintenance_id = $1`, [ref.maintenanceId]);
        await client.query(
          `UPDATE maintenance_saga_steps SET status = 'settled', changed_at = now()
           WHERE maintenance_id = $1 AND status = 'applied' AND action IN ('reserve-jaeger', 'allocate-bay', 'allocate-parts', 'book-slot')`,
          [ref.maintenanceId],
        );
        return { completedAt: new Date().toISOString(), integrity: 100, tasks: tasks.length, resumedFrom, shatterdome: bay.rows[0]!.shatterdome };
      });
      if (result.status === 'compensated') return { fenced: true };
      // The cradle is free: the saga that has waited longest for one in this shatterdome may go.
      await wakeOldestWaiter(postgres, result.detail.shatterdome);
      return result.detail;
    },

    /**
     * The execution's compensation: an execution cannot be undone, so this fences it off — a tombstone that
     * makes a late or retried execution attempt do nothing — or reports `settled` when it already happened.
     */
    async voidExecution(ref: SagaRef): Promise<UndoResult> {
      faults.failCompensationIfAsked('void-execution', ref.faults);
      return postgres.transaction(async (client) => {
        const tombstone = await client.query(
          `INSERT INTO maintenance_saga_steps (maintenance_id, action, status) VALUES ($1, 'execute', 'compensated')
           ON CONFLICT (maintenance_id, action) DO NOTHING RETURNING action`,
          [ref.maintenanceId],
        );
        if (tombstone.rowCount === 1) return 'nothing-to-undo';
        const { rows } = await client.query<{ status: string }>(
          `SELECT status FROM maintenance_saga_steps WHERE maintenance_id = $1 AND action = 'execute'`,
          [ref.maintenanceId],
        );
        return rows[0]?.status === 'compensated' ? 'already-undone' : 'settled';
      });
    },
  };
}
