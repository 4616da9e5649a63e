/**
 * The saga's human step: the `approve`/`reject` updates (validated before anything is recorded: an approver role,
 * not the requester, and only while a decision is awaited), and the wait for them with a reminder at half the
 * timeout and a rejection by `system` at the timeout.
 */
import { ApplicationFailure, condition, isCancellation, log, setHandler } from '@temporalio/workflow';
import { decisionRefusal } from '../../domain/maintenance/approval';
import {
  approveUpdate,
  maintenanceErrors,
  rejectUpdate,
  type Decision,
  type DecisionInput,
  type MaintenanceSagaInput,
  type MaintenanceStatus,
} from '../../domain/maintenance/saga';
import type { NotificationKind } from '../../activities/maintenance/notifications';
import { messageOf } from './compensations';
import { publishDetails, snapshot } from './progress';

export type Decide = (decision: Decision, decider: DecisionInput) => MaintenanceStatus;

/** Registers the two updates; returns the function that records a decision (also used by the timeout). */
export function handleDecisions(status: MaintenanceStatus, requestedBy: string): Decide {
  const decide: Decide = (decision, decider) => {
    status.decision = decision;
    status.approver = decider.approver;
    status.decisionReason = decider.reason ?? null;
    status.decidedAt = new Date().toISOString();
    status.awaiting = null;
    publishDetails(status);
    return snapshot(status);
  };
  // A validator that throws rejects the update before it is written to history: a refused caller leaves no trace.
  const validator = (decider: DecisionInput) => {
    if (status.position !== 'approval' || status.decision !== null) {
      throw ApplicationFailure.nonRetryable(
        status.decision ? `already ${status.decision} by ${status.approver}` : `not awaiting approval (at ${status.position})`,
        maintenanceErrors.notAwaitingApproval,
      );
    }
    const refusal = decisionRefusal(String(decider?.approver ?? ''), Array.isArray(decider?.roles) ? decider.roles : [], requestedBy);
    if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
  };
  const description = 'by an admin or operator other than the requester, while the saga awaits approval';
  setHandler(approveUpdate, (decider) => decide('approved', decider), { validator, description: `Approve the maintenance ${description}` });
  setHandler(rejectUpdate, (decider) => decide('rejected', decider), { validator, description: `Reject the maintenance ${description}` });
  return decide;
}

/** Waits for a decision; reminds the approvers at half the timeout; rejects on the saga's behalf at the timeout. */
export async function awaitDecision(
  status: MaintenanceStatus,
  input: MaintenanceSagaInput,
  decide: Decide,
  notify: (kind: NotificationKind, message: string) => Promise<unknown>,
): Promise<void> {
  const timeoutMs = input.settings.approvalTimeoutSeconds * 1000;
  const reminderAfterMs = Math.floor(timeoutMs / 2);
  const what = `the ${input.type} of ${input.jaegerId}`;
  publishDetails(status, 'waiting for a decision');
  if (await condition(() => status.decision !== null, reminderAfterMs)) return;
  await bestEffort(() => notify('approval-reminder', `Reminder: ${what} still awaits a decision before ${status.approvalDeadline}`));
  publishDetails(status, 'waiting for a decision (reminder sent)');
  if (await condition(() => status.decision !== null, timeoutMs - reminderAfterMs)) return;
  decide('rejected', { approver: 'system', roles: [], reason: `no decision within ${input.settings.approvalTimeoutSeconds} s` });
  await bestEffort(() => notify('approval-expired', `${what} was rejected: nobody decided before ${status.approvalDeadline}`));
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
