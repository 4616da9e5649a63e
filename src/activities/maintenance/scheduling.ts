/** Booking the execution slot in the allocated bay, inside the requested window — and cancelling it. */
import { ApplicationFailure } from '@temporalio/common';
import { slotDurationMs } from '../../domain/maintenance/catalog';
import { maintenanceErrors, type SagaRef } from '../../domain/maintenance/saga';
import { findSlot } from '../../domain/maintenance/scheduling';
import type { PostgresStore } from '../../stores/postgres';
import type { FaultGate } from './faults';
import { applyOnce, undoOnce, type UndoResult } from './step-journal';

export interface SlotRequest extends SagaRef {
  bayId: string;
  windowStart: string;
  windowEnd: string;
  /** The saga's "now" (workflow time, which the time-skipping test server moves): no slot before it. */
  notBefore: string;
}

export type BookedSlot = { startsAt: string; endsAt: string } | { fenced: true };

export function createSchedulingActivities(postgres: PostgresStore, faults: FaultGate) {
  return {
    async bookSlot(request: SlotRequest): Promise<BookedSlot> {
      const result = await applyOnce(postgres, request.maintenanceId, 'book-slot', async (client) => {
        // The bay's row lock serialises bookings in one bay, so two sagas cannot both take its last free cradle-hour.
        const { rows: bays } = await client.query<{ capacity: number }>(
          'SELECT capacity FROM maintenance_bays WHERE bay_id = $1 FOR UPDATE',
          [request.bayId],
        );
        if (!bays[0]) throw ApplicationFailure.nonRetryable(`no bay ${request.bayId}`, maintenanceErrors.noSlotInWindow);
        const earliest = new Date(Math.max(Date.parse(request.windowStart), Date.parse(request.notBefore)));
        const { rows: booked } = await client.query<{ starts_at: Date; ends_at: Date }>(
          `SELECT starts_at, ends_at FROM maintenance_schedule_slots
           WHERE bay_id = $1 AND status = 'booked' AND ends_at > $2 AND starts_at < $3`,
          [request.bayId, earliest, request.windowEnd],
        );
        const slot = findSlot(
          {
            windowStart: Date.parse(request.windowStart),
            windowEnd: Date.parse(request.windowEnd),
            notBefore: Date.parse(request.notBefore),
            durationMs: slotDurationMs(request.type),
            capacity: bays[0].capacity,
          },
          booked.map((row) => ({ startsAt: row.starts_at.getTime(), endsAt: row.ends_at.getTime() })),
        );
        if (!slot) {
          throw ApplicationFailure.nonRetryable(
            `bay ${request.bayId} has no ${request.type} slot between ${earliest.toISOString()} and ${request.windowEnd}`,
            maintenanceErrors.noSlotInWindow,
          );
        }
        const startsAt = new Date(slot.startsAt).toISOString();
        const endsAt = new Date(slot.endsAt).toISOString();
        await client.query(
          'INSERT INTO maintenance_schedule_slots (maintenance_id, bay_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)',
          [request.maintenanceId, request.bayId, startsAt, endsAt],
        );
        return { startsAt, endsAt };
      });
      faults.failIfAsked('book-slot', request.faults);
      return result.status === 'compensated' ? { fenced: true } : result.detail;
    },

    async cancelSlot(ref: SagaRef): Promise<UndoResult> {
      faults.failCompensationIfAsked('cancel-slot', ref.faults);
      return undoOnce(postgres, ref.maintenanceId, 'book-slot', async (client) => {
        await client.query(`DELETE FROM maintenance_schedule_slots WHERE maintenance_id = $1 AND status = 'booked'`, [ref.maintenanceId]);
      });
    },
  };
}
