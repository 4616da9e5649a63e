/**
 * The maintenance saga, workflow id `maintenance-<jaeger_id>`: availability → approval (a person decides through
 * the `approve`/`reject` updates, or the timeout rejects) → allocation (jaeger, bay, parts) → scheduling (a slot in
 * the window) → execution (after a durable timer to the slot's start). Any failure or a cancellation runs the
 * registered compensations in reverse, in a scope cancellation cannot interrupt; a compensation that still fails
 * after its retries ends the saga `compensation_failed` rather than leaving a silent half-state.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  maintenanceErrors,
  statusQuery,
  type MaintenanceResult,
  type MaintenanceSagaInput,
  type SagaAction,
  type SagaFailure,
  type SagaRef,
  type SagaStep,
} from '../../domain/maintenance/saga';
import { searchAttributeKeys } from '../../domain/search-attributes';
import type { Notification, NotificationKind } from '../../activities/maintenance/notifications';
import { compensationActivities, execution, notifications, steps } from './activities';
import { awaitDecision, handleDecisions } from './approval';
import { waitsForBays } from './bay-wait';
import { CompensationStack } from './compensations';
import { initialStatus, moveTo, publishDetails, snapshot } from './progress';

/** Thrown inside the saga when a forward step finds a compensation's tombstone: it must not proceed. */
const fenced = (action: SagaAction) =>
  ApplicationFailure.nonRetryable(`${action} was fenced off by a compensation`, maintenanceErrors.maintenanceFailed);

export async function maintenanceSaga(input: MaintenanceSagaInput): Promise<MaintenanceResult> {
  const status = initialStatus(input);
  const ref: SagaRef = { maintenanceId: input.maintenanceId, jaegerId: input.jaegerId, type: input.type, faults: input.faults };
  const compensations = new CompensationStack();
  const undo = compensationActivities(input.settings.compensationMaxAttempts);
  let step: SagaStep = 'availability';

  setHandler(statusQuery, () => snapshot(status));
  const decide = handleDecisions(status, input.requestedBy);
  const allocateBayWhenFree = waitsForBays();

  upsertSearchAttributes([{ key: searchAttributeKeys.JaegerId, value: input.jaegerId }]);
  moveTo(status, 'availability', 'checking the jaeger');
  const { workflowId, runId } = workflowInfo();
  await CancellationScope.nonCancellable(() => steps.registerRequest({ ...input, workflowId, runId }));

  const complete = (done: SagaStep) => {
    status.completedSteps.push(done);
  };
  const applied = (action: SagaAction) => {
    status.appliedActions.push(action);
  };
  const notification = (kind: NotificationKind, message: string): Notification => ({
    ...ref,
    kind,
    message,
    requestedBy: input.requestedBy,
    deadline: status.approvalDeadline,
  });

  let cancellation: unknown;
  try {
    // 1. Availability (read-only: nothing to compensate).
    await steps.checkAvailability(ref);
    complete('availability');

    // 2. Approval.
    step = 'approval';
    status.approvalDeadline = new Date(Date.now() + input.settings.approvalTimeoutSeconds * 1000).toISOString();
    status.awaiting = `approval or rejection by an admin or operator other than ${input.requestedBy}, before ${status.approvalDeadline}`;
    moveTo(status, 'approval', 'notifying approvers');
    compensations.register('withdraw-approval', () =>
      undo.withdrawApproval(notification('approval-withdrawn', `Maintenance ${input.maintenanceId} of ${input.jaegerId} was withdrawn`)),
    );
    await notifications.notifyApprovers(
      notification('approval-requested', `${input.requestedBy} asks for a ${input.type} of ${input.jaegerId}; decide before ${status.approvalDeadline}`),
    );
    applied('notify-approvers');
    await awaitDecision(status, input, decide, (kind, message) => notifications.notifyApprovers(notification(kind, message)));
    // Bookkeeping of a decision already taken: recorded even if a cancellation arrives this instant.
    await CancellationScope.nonCancellable(() => steps.recordDecision(snapshot(status)));
    if (status.decision === 'rejected') {
      // A decision, not a failure: the approvers know, and nothing was allocated.
      compensations.clear();
      status.outcome = 'rejected';
    } else {
      complete('approval');

      // 3. Allocation: the jaeger, a bay cradle (waiting while every bay is full), the parts.
      step = 'allocation';
      moveTo(status, 'allocation', 'reserving the jaeger');
      compensations.register('release-jaeger', () => undo.releaseJaeger(ref));
      if ((await steps.reserveJaeger(ref)).fenced) throw fenced('reserve-jaeger');
      applied('reserve-jaeger');

      compensations.register('release-bay', () => undo.releaseBay(ref));
      status.bayId = await allocateBayWhenFree(ref, input, status, () => fenced('allocate-bay'));
      applied('allocate-bay');

      publishDetails(status, 'taking parts from the depot');
      compensations.register('return-parts', () => undo.returnParts(ref));
      if ((await steps.allocateParts(ref)).fenced) throw fenced('allocate-parts');
      applied('allocate-parts');
      complete('allocation');

      // 4. Scheduling: a slot in the bay, inside the requested window.
      step = 'scheduling';
      moveTo(status, 'scheduling', 'booking a slot');
      compensations.register('cancel-slot', () => undo.cancelSlot(ref));
      const slot = await steps.bookSlot({
        ...ref,
        bayId: status.bayId,
        windowStart: input.windowStart,
        windowEnd: input.windowEnd,
        notBefore: new Date().toISOString(),
      });
      if ('fenced' in slot) throw fenced('book-slot');
      status.slot = slot;
      applied('book-slot');
      complete('scheduling');

      // 5. Execution: a durable timer to the slot's start, then the crew's work.
      step = 'execution';
      const untilStart = Date.parse(slot.startsAt) - Date.now();
      if (untilStart > 0) {
        moveTo(status, 'execution', `waiting for the slot at ${slot.startsAt}`);
        await sleep(untilStart);
      }
      moveTo(status, 'execution', 'the crew is working');
      compensations.register('void-execution', () => undo.voidExecution(ref));
      const executed = await execution.executeMaintenance({ ...ref, bayId: status.bayId });
      if ('fenced' in executed) throw fenced('execute');
      applied('execute');
      compensations.clear();
      complete('execution');
      status.outcome = 'completed';
    }
  } catch (error) {
    if (isCancellation(error)) cancellation = error;
    status.failure = failureOf(step, error);
    status.awaiting = null;
    moveTo(status, 'compensating', `undoing ${status.appliedActions.length} applied step(s) in reverse`);
    // Cancellation of the saga must not cancel its undo: the scope shields every compensation activity.
    await CancellationScope.nonCancellable(() =>
      compensations.runInReverse((run) => {
        status.compensationsRun.push(run);
        publishDetails(status, `compensated ${run.name}: ${run.result}`);
      }),
    );
    const runs = status.compensationsRun;
    if (runs.some((run) => run.result === 'failed')) status.outcome = 'compensation_failed';
    // The execution had committed before the failure reached us (e.g. a cancel racing its last instant).
    else if (runs.some((run) => run.name === 'void-execution' && run.result === 'settled')) status.outcome = 'completed';
    else status.outcome = cancellation ? 'cancelled' : 'failed';
    if (status.outcome === 'completed') {
      status.failure = null;
      complete('execution');
    }
  }

  moveTo(status, status.outcome!);
  await CancellationScope.nonCancellable(() => steps.recordOutcome(snapshot(status)));
  // Let an update that raced the end finish before the run closes.
  await condition(allHandlersFinished);

  switch (status.outcome) {
    case 'completed':
    case 'rejected':
      return snapshot(status);
    case 'cancelled':
      throw cancellation;
    case 'compensation_failed':
      throw ApplicationFailure.create({
        message: `compensation failed: ${status.compensationsRun.filter((run) => run.result === 'failed').map((run) => `${run.name} (${run.error})`).join('; ')}`,
        type: maintenanceErrors.compensationFailed,
        nonRetryable: true,
        details: [snapshot(status)],
      });
    default:
      throw ApplicationFailure.create({
        message: `maintenance failed at ${status.failure?.step}: ${status.failure?.message}; every step was compensated`,
        type: maintenanceErrors.maintenanceFailed,
        nonRetryable: true,
        details: [snapshot(status)],
      });
  }
}

function failureOf(step: SagaStep, error: unknown): SagaFailure {
  let current = error as { name?: string; type?: string; message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  const type = current?.type ?? (isCancellation(error) ? 'Cancelled' : current?.name ?? 'Error');
  return { step, type, message: current?.message ?? String(error) };
}
