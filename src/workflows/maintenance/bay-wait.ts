/**
 * Taking a bay cradle. While every bay of the shatterdome is full the saga waits in the shatterdome's queue for a
 * `bayFreed` signal (sent to the oldest waiter whenever a cradle frees up) — no polling, no worker slot held — and
 * re-checks on its own every `bayRecheckSeconds` in case a signal was lost.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { slotDurationMs } from '../../domain/maintenance/catalog';
import { bayFreedSignal, maintenanceErrors, type MaintenanceSagaInput, type MaintenanceStatus, type SagaRef } from '../../domain/maintenance/saga';
import { steps } from './activities';
import { publishDetails } from './progress';

export function waitsForBays() {
  const freed = { pending: false };
  setHandler(bayFreedSignal, () => {
    freed.pending = true;
  });

  /** The bay id, or a non-retryable `NoBayInWindow` once a slot could no longer fit the window. */
  return async function allocateBayWhenFree(ref: SagaRef, input: MaintenanceSagaInput, status: MaintenanceStatus, onFenced: () => Error) {
    for (let attempt = 1; ; attempt++) {
      freed.pending = false;
      const allocation = await steps.allocateBay(ref);
      if ('bayId' in allocation) return allocation.bayId;
      if ('fenced' in allocation) throw onFenced();
      const deadline = Date.parse(input.windowEnd) - slotDurationMs(input.type);
      if (Date.now() > deadline) {
        throw ApplicationFailure.nonRetryable(`no bay freed up in time for a ${input.type} before ${input.windowEnd}`, maintenanceErrors.noBayInWindow);
      }
      publishDetails(status, `every bay is full; waiting in the queue for a free cradle (try ${attempt})`);
      await condition(() => freed.pending, Math.min(input.settings.bayRecheckSeconds * 1000, deadline - Date.now() + 1000));
    }
  };
}
