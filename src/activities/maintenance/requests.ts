/** The saga's own record (maintenance_requests, the API's read model) and the availability check. */
import { ApplicationFailure } from '@temporalio/common';
import { checkAvailability as availabilityOf, type Jaeger } from '../../domain/maintenance/jaeger';
import {
  maintenanceErrors,
  type MaintenanceSagaInput,
  type MaintenanceStatus,
  type SagaRef,
} from '../../domain/maintenance/saga';
import type { PostgresStore } from '../../stores/postgres';
import { leaveBayQueue } from './bay-queue';
import type { FaultGate } from './faults';
import { maintenanceSagaDuration, maintenanceSagasTotal } from './metrics';
import { JAEGER_COLUMNS, toJaeger, type JaegerRow } from './rows';

export function createRequestActivities(postgres: PostgresStore, faults: FaultGate) {
  return {
    /** Idempotent by maintenance id: the first attempt inserts, a retry finds the row. */
    async registerRequest(input: MaintenanceSagaInput & { workflowId: string; runId: string }): Promise<void> {
      await postgres.pool().query(
        `INSERT INTO maintenance_requests (maintenance_id, jaeger_id, type, requested_by, window_start, window_end, notes,
           workflow_id, run_id, request_id, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'availability')
         ON CONFLICT (maintenance_id) DO NOTHING`,
        [
          input.maintenanceId,
          input.jaegerId,
          input.type,
          input.requestedBy,
          input.windowStart,
          input.windowEnd,
          input.notes ?? null,
          input.workflowId,
          input.runId,
          input.context.requestId,
        ],
      );
    },

    /** Read-only: the jaeger exists, is neither deployed, retired nor in maintenance, and is worn enough. */
    async checkAvailability(ref: SagaRef): Promise<Jaeger> {
      const { rows } = await postgres
        .pool()
        .query<JaegerRow>(`SELECT ${JAEGER_COLUMNS} FROM jaegers WHERE jaeger_id = $1`, [ref.jaegerId]);
      const jaeger = rows[0] ? toJaeger(rows[0]) : undefined;
      const availability = availabilityOf(jaeger, ref.type, ref.jaegerId);
      if (!availability.available) {
        throw ApplicationFailure.create({
          message: availability.detail,
          type: maintenanceErrors.jaegerUnavailable,
          nonRetryable: true,
          details: [availability.reason],
        });
      }
      faults.failIfAsked('availability', ref.faults);
      return jaeger!;
    },

    async recordDecision(status: MaintenanceStatus): Promise<void> {
      await postgres.pool().query(
        `UPDATE maintenance_requests SET position = $2, approver = $3, decision = $4, decision_reason = $5,
           decided_at = $6, updated_at = now() WHERE maintenance_id = $1`,
        [status.maintenanceId, status.position, status.approver, status.decision, status.decisionReason, status.decidedAt],
      );
    },

    /** Writes the saga's final state; the metrics count each saga once, however often this is retried. */
    async recordOutcome(status: MaintenanceStatus): Promise<void> {
      const { rows } = await postgres.pool().query<{ seconds: number }>(
        `UPDATE maintenance_requests SET position = $2, outcome = $3, failure = $4, completed_steps = $5,
           compensations_run = $6, approver = $7, decision = $8, decision_reason = $9, decided_at = $10,
           bay_id = $11, slot_starts_at = $12, slot_ends_at = $13, updated_at = now()
         WHERE maintenance_id = $1 AND outcome IS NULL
         RETURNING extract(epoch FROM now() - created_at)::float8 AS seconds`,
        [
          status.maintenanceId,
          status.position,
          status.outcome,
          status.failure ? JSON.stringify(status.failure) : null,
          JSON.stringify(status.completedSteps),
          JSON.stringify(status.compensationsRun),
          status.approver,
          status.decision,
          status.decisionReason,
          status.decidedAt,
          status.bayId,
          status.slot?.startsAt ?? null,
          status.slot?.endsAt ?? null,
        ],
      );
      // A saga that ends while waiting for a bay leaves the queue.
      await leaveBayQueue(postgres.pool(), status.maintenanceId);
      if (rows[0] && status.outcome) {
        maintenanceSagasTotal.inc({ outcome: status.outcome });
        maintenanceSagaDuration.observe({ outcome: status.outcome }, rows[0].seconds);
      }
    },
  };
}
