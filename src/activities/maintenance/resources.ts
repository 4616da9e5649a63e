/**
 * Allocation: the jaeger (active → maintenance), a bay cradle, and the parts for the type — and their undos.
 * Every change is a conditional UPDATE (`... AND in_use < capacity`, `... AND quantity >= n`), which locks the
 * row and re-checks the condition, so concurrent sagas can never over-allocate; the tables' CHECKs back it up.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { PoolClient } from 'pg';
import { partLines } from '../../domain/maintenance/catalog';
import { maintenanceErrors, maintenanceWorkflowId, type SagaRef } from '../../domain/maintenance/saga';
import type { PostgresStore } from '../../stores/postgres';
import { joinBayQueue, leaveBayQueue, wakeOldestWaiter } from './bay-queue';
import type { FaultGate } from './faults';
import { applyOnce, undoOnce, type UndoResult } from './step-journal';

/** Thrown inside the allocation transaction when every bay is full: rolls it back, journal row included. */
class NoFreeBay extends Error {
  constructor(readonly shatterdome: string) {
    super(`every bay of ${shatterdome} is full`);
  }
}

export type BayAllocation = { bayId: string } | { full: true; shatterdome: string } | { fenced: true };

async function shatterdomeOf(client: PoolClient, jaegerId: string): Promise<string> {
  const { rows } = await client.query<{ shatterdome: string }>('SELECT shatterdome FROM jaegers WHERE jaeger_id = $1', [jaegerId]);
  if (!rows[0]) throw ApplicationFailure.nonRetryable(`no jaeger ${jaegerId}`, maintenanceErrors.jaegerUnavailable);
  return rows[0].shatterdome;
}

export function createResourceActivities(postgres: PostgresStore, faults: FaultGate) {
  return {
    /** Takes the jaeger out of service; fails for good if it is no longer active (e.g. deployed meanwhile). */
    async reserveJaeger(ref: SagaRef): Promise<{ fenced: boolean }> {
      const result = await applyOnce(postgres, ref.maintenanceId, 'reserve-jaeger', async (client) => {
        const { rows } = await client.query<{ status: string }>(
          `UPDATE jaegers SET status = 'maintenance' WHERE jaeger_id = $1 AND status = 'active' RETURNING status`,
          [ref.jaegerId],
        );
        if (!rows[0]) {
          const { rows: now } = await client.query<{ status: string }>('SELECT status FROM jaegers WHERE jaeger_id = $1', [ref.jaegerId]);
          throw ApplicationFailure.nonRetryable(
            `${ref.jaegerId} is ${now[0]?.status ?? 'gone'}, no longer active`,
            maintenanceErrors.jaegerUnavailable,
          );
        }
        return { previousStatus: 'active' };
      });
      faults.failIfAsked('reserve-jaeger', ref.faults);
      return { fenced: result.status === 'compensated' };
    },

    async releaseJaeger(ref: SagaRef): Promise<UndoResult> {
      faults.failCompensationIfAsked('release-jaeger', ref.faults);
      return undoOnce<{ previousStatus: string }>(postgres, ref.maintenanceId, 'reserve-jaeger', async (client, detail) => {
        await client.query(`UPDATE jaegers SET status = $2 WHERE jaeger_id = $1 AND status = 'maintenance'`, [
          ref.jaegerId,
          detail.previousStatus,
        ]);
      });
    },

    /**
     * A cradle in a bay of the jaeger's shatterdome (the emptiest first), or `full`: then the saga is in the
     * shatterdome's queue and waits for a `bayFreed` signal.
     */
    async allocateBay(ref: SagaRef): Promise<BayAllocation> {
      const attempt = async (): Promise<BayAllocation> => {
        try {
          const result = await applyOnce(postgres, ref.maintenanceId, 'allocate-bay', async (client) => {
            const shatterdome = await shatterdomeOf(client, ref.jaegerId);
            const { rows: candidates } = await client.query<{ bay_id: string }>(
              `SELECT bay_id FROM maintenance_bays WHERE shatterdome = $1 AND in_use < capacity
               ORDER BY capacity - in_use DESC, bay_id`,
              [shatterdome],
            );
            for (const { bay_id: bayId } of candidates) {
              // Another saga may have taken the last cradle since the SELECT: the condition is re-checked under the lock.
              const taken = await client.query(
                'UPDATE maintenance_bays SET in_use = in_use + 1 WHERE bay_id = $1 AND in_use < capacity RETURNING bay_id',
                [bayId],
              );
              if (taken.rowCount === 1) {
                await client.query(
                  `INSERT INTO maintenance_allocations (maintenance_id, resource_kind, resource_id, quantity) VALUES ($1, 'bay', $2, 1)`,
                  [ref.maintenanceId, bayId],
                );
                await leaveBayQueue(client, ref.maintenanceId);
                return { bayId };
              }
            }
            throw new NoFreeBay(shatterdome);
          });
          return result.status === 'compensated' ? { fenced: true } : result.detail;
        } catch (error) {
          if (error instanceof NoFreeBay) return { full: true, shatterdome: error.shatterdome };
          throw error;
        }
      };
      let allocation = await attempt();
      if ('full' in allocation) {
        const { shatterdome } = allocation;
        // Queue first, then look once more: a cradle freed in between is either seen now or signalled to us.
        // Waiting is not a side effect to compensate, so the queue row is written outside the step journal.
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? maintenanceWorkflowId(ref.jaegerId);
        await postgres.transaction((client) => joinBayQueue(client, ref.maintenanceId, shatterdome, workflowId));
        allocation = await attempt();
      }
      faults.failIfAsked('allocate-bay', ref.faults);
      return allocation;
    },

    async releaseBay(ref: SagaRef): Promise<UndoResult> {
      faults.failCompensationIfAsked('release-bay', ref.faults);
      let shatterdome: string | undefined;
      const result = await undoOnce<{ bayId: string }>(postgres, ref.maintenanceId, 'allocate-bay', async (client, detail) => {
        const freed = await client.query<{ shatterdome: string }>(
          'UPDATE maintenance_bays SET in_use = in_use - 1 WHERE bay_id = $1 AND in_use > 0 RETURNING shatterdome',
          [detail.bayId],
        );
        if (freed.rowCount !== 1) throw new Error(`bay ${detail.bayId} shows no cradle in use to release`);
        shatterdome = freed.rows[0]!.shatterdome;
        await client.query(
          `DELETE FROM maintenance_allocations WHERE maintenance_id = $1 AND resource_kind = 'bay' AND resource_id = $2`,
          [ref.maintenanceId, detail.bayId],
        );
      });
      await leaveBayQueue(postgres.pool(), ref.maintenanceId);
      if (shatterdome) await wakeOldestWaiter(postgres, shatterdome);
      return result;
    },

    /** Takes every part the type needs off the depot's shelves, all or nothing; a shortage fails for good. */
    async allocateParts(ref: SagaRef): Promise<{ fenced: boolean }> {
      const lines = partLines(ref.type);
      const result = await applyOnce(postgres, ref.maintenanceId, 'allocate-parts', async (client) => {
        const shatterdome = await shatterdomeOf(client, ref.jaegerId);
        // Sorted by SKU (partLines): concurrent sagas lock rows in the same order, so they cannot deadlock.
        for (const line of lines) {
          const taken = await client.query(
            `UPDATE maintenance_parts SET quantity = quantity - $3 WHERE shatterdome = $1 AND sku = $2 AND quantity >= $3 RETURNING sku`,
            [shatterdome, line.sku, line.quantity],
          );
          if (taken.rowCount !== 1) {
            throw ApplicationFailure.nonRetryable(
              `${shatterdome} has fewer than ${line.quantity} ${line.sku} in stock`,
              maintenanceErrors.partsUnavailable,
            );
          }
          await client.query(
            `INSERT INTO maintenance_allocations (maintenance_id, resource_kind, resource_id, quantity) VALUES ($1, 'part', $2, $3)`,
            [ref.maintenanceId, line.sku, line.quantity],
          );
        }
        return { shatterdome, lines };
      });
      faults.failIfAsked('allocate-parts', ref.faults);
      return { fenced: result.status === 'compensated' };
    },

    async returnParts(ref: SagaRef): Promise<UndoResult> {
      faults.failCompensationIfAsked('return-parts', ref.faults);
      return undoOnce<{ shatterdome: string; lines: { sku: string; quantity: number }[] }>(
        postgres,
        ref.maintenanceId,
        'allocate-parts',
        async (client, detail) => {
          for (const line of detail.lines) {
            await client.query('UPDATE maintenance_parts SET quantity = quantity + $3 WHERE shatterdome = $1 AND sku = $2', [
              detail.shatterdome,
              line.sku,
              line.quantity,
            ]);
          }
          await client.query(`DELETE FROM maintenance_allocations WHERE maintenance_id = $1 AND resource_kind = 'part'`, [ref.maintenanceId]);
        },
      );
    },
  };
}
