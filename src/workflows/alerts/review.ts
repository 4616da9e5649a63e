/**
 * `alert-review-<alert_id>`: the review saga of one alert (seed: "padrão Saga para revisões de alertas").
 *
 * Forward steps: store the alert and its SIEM line → for an alert whose action is block, hold the account at once
 * (the ledger answers 423 for it; compensation: release) → notify the reviewers → wait for an analyst's `confirm`
 * or `dismiss` update; past the SLA an escalation notice goes out and the wait goes on.
 * - confirm: the action in force is the analyst's (default: the alert's); `block` makes the block confirmed
 *   (blocking the account if it was not held), another action releases a hold;
 * - dismiss: the compensations run (the hold is released) and the alert is marked a false positive;
 * - cancelling the workflow compensates the same way.
 * Every decision is a SIEM line. The update answers once its effects are applied.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AlertNotificationKind } from '../../activities/alerts/notifications';
import type { ReviewAction } from '../../domain/alerts/alert';
import {
  alertReviewErrors,
  alertReviewStateQuery,
  confirmAlertUpdate,
  dismissAlertUpdate,
  reviewRefusal,
  type AlertReviewInput,
  type AlertReviewState,
  type ReviewDecisionInput,
} from '../../domain/alerts/review';
import type { SiemKind, SiemLine } from '../../domain/alerts/siem';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { compensations as undo, notifications, steps } from './activities';

type Decision = { kind: 'confirm' | 'dismiss'; input: ReviewDecisionInput };

export async function alertReviewWorkflow(input: AlertReviewInput): Promise<AlertReviewState> {
  const { alert } = input;
  const { workflowId } = workflowInfo();
  const ref = { accountId: alert.accountId, alertId: alert.alertId };
  const slaMs = input.settings.slaSeconds * 1000;
  const state: AlertReviewState = {
    alertId: alert.alertId,
    accountId: alert.accountId,
    status: 'open',
    awaitingDecision: false,
    action: alert.action,
    effectiveAction: alert.action,
    block: null,
    slaDeadline: new Date(Date.now() + slaMs).toISOString(),
    escalatedAt: null,
    reviewedBy: null,
    reviewedAt: null,
    note: null,
    falsePositive: false,
  };
  let decision: Decision | null = null;
  let applied = false;
  const undoStack: (() => Promise<void>)[] = [];

  setHandler(alertReviewStateQuery, () => ({ ...state }));
  const validate = (candidate: ReviewDecisionInput) => {
    if (decision !== null || (state.status !== 'open' && state.status !== 'escalated')) {
      throw ApplicationFailure.nonRetryable(
        state.reviewedBy ? `already ${state.status} by ${state.reviewedBy}` : `the alert is ${decision ? 'being decided' : state.status}`,
        alertReviewErrors.notAwaitingReview,
      );
    }
    const refusal = reviewRefusal(String(candidate?.reviewer ?? ''), Array.isArray(candidate?.roles) ? candidate.roles : []);
    if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
  };
  const decide = (kind: Decision['kind']) => async (candidate: ReviewDecisionInput) => {
    decision = { kind, input: candidate };
    // Answer once the decision's effects (block, release, records) are applied.
    await condition(() => applied);
    return { ...state };
  };
  setHandler(confirmAlertUpdate, decide('confirm'), { validator: validate, description: 'Confirm the alert (analyst); action block blocks the account' });
  setHandler(dismissAlertUpdate, decide('dismiss'), { validator: validate, description: 'Dismiss the alert as a false positive (analyst); releases any hold' });

  const siem = (kind: SiemKind, actor: string, reason: string, action: SiemLine['action'] = state.effectiveAction) =>
    steps.writeSiem({
      kind,
      alert_id: alert.alertId,
      account_id: alert.accountId,
      actor,
      action,
      score: alert.score,
      source: alert.source,
      reason,
      at: new Date().toISOString(),
      workflow_id: workflowId,
    });
  const notify = async (kind: AlertNotificationKind, message: string) => {
    try {
      await notifications.notifyAlert({ alert, kind, message, slaDeadline: state.slaDeadline });
    } catch (error) {
      // Reviewers also find the alert through the API; a webhook that stays down must not stop the saga.
      if (isCancellation(error)) throw error;
      log.warn('alert notification failed', { kind, error: String(error) });
    }
  };
  const details = (text: string) => setCurrentDetails(`${alert.action} ${alert.accountId} · ${state.status}${state.block ? ` · account ${state.block}` : ''} · ${text}`);
  const release = async (reason: string) => {
    state.block = await undo.releaseAccount({ ...ref, reason });
    await siem('account-released', 'system', reason);
  };
  const runCompensations = async () => {
    while (undoStack.length > 0) await undoStack.pop()!();
  };

  try {
    details('storing the alert');
    await steps.storeAlert({ alert, slaDeadline: state.slaDeadline, workflowId });
    await siem('alert-raised', `ai:${alert.model}`, alert.reason, alert.action);
    if (alert.action === 'block') {
      // Registered before the step runs: a hold whose outcome is unknown is still released.
      undoStack.push(() => release(`alert ${alert.alertId} dismissed: false positive`));
      state.block = await steps.holdAccount(ref);
      await siem('account-held', 'system', `held pending review: ${alert.reason}`);
    }
    await notify('alert-raised', `${alert.action} alert on ${alert.accountId} (score ${alert.score}); review before ${state.slaDeadline}`);

    details(`awaiting an analyst before ${state.slaDeadline}`);
    state.awaitingDecision = true;
    if (!(await condition(() => decision !== null, slaMs))) {
      state.status = 'escalated';
      state.escalatedAt = new Date().toISOString();
      await steps.markAlertEscalated(alert.alertId);
      await siem('review-escalated', 'system', `no review within ${input.settings.slaSeconds} s`);
      await notify('alert-escalated', `Escalated: the ${alert.action} alert on ${alert.accountId} was not reviewed before ${state.slaDeadline}`);
      details('escalated: awaiting an analyst');
      await condition(() => decision !== null);
    }
    state.awaitingDecision = false;
    await CancellationScope.nonCancellable(() => apply(decision!));
  } catch (error) {
    if (!isCancellation(error)) throw error;
    state.awaitingDecision = false;
    await CancellationScope.nonCancellable(async () => {
      await runCompensations();
      await steps.recordAlertReview({ alertId: alert.alertId, status: 'cancelled', reviewer: null, action: null, note: 'review cancelled', falsePositive: false });
      state.status = 'cancelled';
      await siem('review-cancelled', 'system', 'the review was cancelled; its hold was released');
    });
  }
  applied = true;
  details('done');
  // Non-cancellable: after a handled cancellation the root scope is cancelled, and the result must still be returned.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return state;

  async function apply(chosen: Decision): Promise<void> {
    const { reviewer, note } = chosen.input;
    const actor = `analyst:${reviewer}`;
    state.reviewedBy = reviewer;
    state.note = note ?? null;
    if (chosen.kind === 'confirm') {
      const action: ReviewAction = chosen.input.action ?? alert.action;
      state.effectiveAction = action;
      upsertSearchAttributes([{ key: searchAttributeKeys.AlertAction, value: action }]);
      if (action === 'block') {
        state.block = await steps.confirmAccountBlock(ref);
        await siem('account-blocked', actor, `block confirmed by ${reviewer}`);
      } else if (state.block === 'held') {
        await release(`alert ${alert.alertId} confirmed as ${action}: no block`);
      }
      undoStack.length = 0;
      const { reviewedAt } = await steps.recordAlertReview({ alertId: alert.alertId, status: 'confirmed', reviewer, action, note: note ?? null, falsePositive: false });
      state.status = 'confirmed';
      state.reviewedAt = reviewedAt;
      await siem('review-confirmed', actor, note ?? `confirmed as ${action}`);
      await notify('alert-confirmed', `${reviewer} confirmed the alert on ${alert.accountId} as ${action}`);
    } else {
      await runCompensations();
      const { reviewedAt } = await steps.recordAlertReview({ alertId: alert.alertId, status: 'dismissed', reviewer, action: null, note: note ?? null, falsePositive: true });
      state.status = 'dismissed';
      state.falsePositive = true;
      state.reviewedAt = reviewedAt;
      await siem('review-dismissed', actor, note ?? 'dismissed as a false positive');
      await notify('alert-dismissed', `${reviewer} dismissed the alert on ${alert.accountId} as a false positive`);
    }
  }
}
