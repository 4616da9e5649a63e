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
  log,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { slotDurationMs } from '../../domain/maintenance/catalog';
import { decisionRefusal } from '../../domain/maintenance/approval';
import {
  approveUpdate,
  maintenanceErrors,
  rejectUpdate,
  statusQuery,
  type Decision,
  type DecisionInput,
  type MaintenanceResult,
  type MaintenanceSagaInput,
  type MaintenanceStatus,
  type SagaAction,
  type SagaFailure,
  type SagaRef,
  type SagaStep,
} from '../../domain/maintenance/saga';
import { searchAttributeKeys } from '../../domain/search-attributes';
import type { Notification, NotificationKind } from '../../activities/maintenance/notifications';
import { compensationActivities, execution, notifications, steps } from './activities';
import { CompensationStack, messageOf } from './compensations';
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
  const decide = (decision: Decision) => (decider: DecisionInput) => {
    status.decision = decision;
    status.approver = decider.approver;
    status.decisionReason = decider.reason ?? null;
    status.decidedAt = new Date().toISOString();
    status.awaiting = null;
    publishDetails(status);
    return snapshot(status);
  };
  const validateDecision = (decider: DecisionInput) => {
    if (status.position !== 'approval' || status.decision !== null) {
      throw ApplicationFailure.nonRetryable(
        status.decision ? `already ${status.decision} by ${status.approver}` : `not awaiting approval (at ${status.position})`,
        maintenanceErrors.notAwaitingApproval,
      );
    }
    const refusal = decisionRefusal(String(decider?.approver ?? ''), Array.isArray(decider?.roles) ? decider.roles : [], input.requestedBy);
    if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
  };
  setHandler(approveUpdate, decide('approved'), { validator: validateDecision, description: 'Approve the maintenance (admin or operator, not the requester)' });
  setHandler(rejectUpdate, decide('rejected'), { validator: validateDecision, description: 'Reject the maintenance (admin or operator, not the requester)' });

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
    const timeoutMs = input.settings.approvalTimeoutSeconds * 1000;
    const reminderAfterMs = Math.floor(timeoutMs / 2);
    status.approvalDeadline = new Date(Date.now() + timeoutMs).toISOString();
    status.awaiting = `approval or rejection by an admin or operator other than ${input.requestedBy}, before ${status.approvalDeadline}`;
    moveTo(status, 'approval', 'notifying approvers');
    compensations.register('withdraw-approval', () =>
      undo.withdrawApproval(notification('approval-withdrawn', `Maintenance ${input.maintenanceId} of ${input.jaegerId} was withdrawn`)),
    );
    await notifications.notifyApprovers(
      notification('approval-requested', `${input.requestedBy} asks for a ${input.type} of ${input.jaegerId}; decide before ${status.approvalDeadline}`),
    );
    applied('notify-approvers');
    publishDetails(status, 'waiting for a decision');
    if (!(await condition(() => status.decision !== null, reminderAfterMs))) {
      await bestEffort(() =>
        notifications.notifyApprovers(
          notification('approval-reminder', `Reminder: the ${input.type} of ${input.jaegerId} still awaits a decision before ${status.approvalDeadline}`),
        ),
      );
      publishDetails(status, 'waiting for a decision (reminder sent)');
      if (!(await condition(() => status.decision !== null, timeoutMs - reminderAfterMs))) {
        decide('rejected')({ approver: 'system', roles: [], reason: `no decision within ${input.settings.approvalTimeoutSeconds} s` });
        await bestEffort(() =>
          notifications.notifyApprovers(
            notification('approval-expired', `The ${input.type} of ${input.jaegerId} was rejected: nobody decided before ${status.approvalDeadline}`),
          ),
        );
      }
    }
    await steps.recordDecision(snapshot(status));
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
      status.bayId = await allocateBayWhenFree(ref, input, status);
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

/** Tries for a bay cradle, backing off (durable timers) while the shatterdome's bays are all full. */
async function allocateBayWhenFree(ref: SagaRef, input: MaintenanceSagaInput, status: MaintenanceStatus): Promise<string> {
  const maxWaitMs = input.settings.bayWaitMaxIntervalSeconds * 1000;
  let waitMs = 1000;
  for (let attempt = 1; ; attempt++) {
    const allocation = await steps.allocateBay(ref);
    if ('bayId' in allocation) return allocation.bayId;
    if ('fenced' in allocation) throw fenced('allocate-bay');
    // No point holding on once even a slot starting now would end after the window.
    if (Date.now() + slotDurationMs(input.type) > Date.parse(input.windowEnd)) {
      throw ApplicationFailure.nonRetryable(
        `no bay freed up in time for a ${input.type} before ${input.windowEnd}`,
        maintenanceErrors.noBayInWindow,
      );
    }
    publishDetails(status, `every bay is full; try ${attempt + 1} in ${Math.round(waitMs / 1000)} s`);
    // Jitter (deterministic in a workflow) keeps waiting sagas from retrying in lockstep.
    await sleep(Math.round(waitMs * (0.5 + Math.random() / 2)));
    waitMs = Math.min(waitMs * 2, maxWaitMs);
  }
}

/** Reminders and expiry notices must not fail the saga: the request stands, and the table has the record. */
async function bestEffort(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('notification failed; the saga goes on', { error: messageOf(error) });
  }
}

function failureOf(step: SagaStep, error: unknown): SagaFailure {
  let current = error as { name?: string; type?: string; message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  const type = current?.type ?? (isCancellation(error) ? 'Cancelled' : current?.name ?? 'Error');
  return { step, type, message: current?.message ?? String(error) };
}
