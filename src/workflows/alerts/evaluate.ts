/**
 * `alert-<event_id>`: the evaluation of one LancamentoRegistrado event (seed: `alert.evaluate`). Features and the
 * local model first; above the pre-filter threshold the LLM reviews; the decision is recorded once; an action
 * other than `ignore` starts the review saga as a child that outlives this workflow (the decision is made here,
 * the analyst's review may take hours).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  isCancellation,
  ParentClosePolicy,
  setCurrentDetails,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import {
  alertReviewWorkflowId,
  type AlertDecision,
  type AlertEvaluationInput,
  type AlertEvaluationResult,
  type AlertRecord,
  type LocalAssessment,
} from '../../domain/alerts/alert';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { llm, steps } from './activities';
import { alertReviewWorkflow } from './review';

const localDecision = (local: LocalAssessment, fallbackReason: AlertDecision['fallbackReason']): AlertDecision => ({
  score: local.score,
  reason: local.reason,
  action: local.action,
  source: 'local',
  model: local.modelVersion,
  promptVersion: null,
  tokens: null,
  fallbackReason,
});

export async function alertEvaluationWorkflow(input: AlertEvaluationInput): Promise<AlertEvaluationResult> {
  const { event } = input;
  const { workflowId } = workflowInfo();
  upsertSearchAttributes([{ key: searchAttributeKeys.AccountId, value: event.accountId }]);

  setCurrentDetails(`scoring entry ${event.requestId} of ${event.accountId} (${event.amount}) with the local model`);
  const assessment = await steps.assessEntry(event);
  const { local } = assessment;
  const prefilter = input.settings.prefilterThreshold ?? assessment.modelPrefilter;

  let decision: AlertDecision;
  if (local.score >= prefilter) {
    setCurrentDetails(`local score ${local.score} ≥ ${prefilter}: LLM review`);
    try {
      decision = await llm.reviewWithLlm({ event, features: assessment.features, local, entryAcceptedAt: assessment.entryAcceptedAt });
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The LLM path's own infrastructure kept failing: the local decision stands, recorded as such.
      decision = localDecision(local, 'error');
    }
  } else {
    decision = localDecision(local, null);
  }

  await steps.recordAlertEvaluation({ event, local, decision, workflowId });
  upsertSearchAttributes([
    { key: searchAttributeKeys.AlertAction, value: decision.action },
    { key: searchAttributeKeys.AlertScore, value: decision.score },
  ]);

  let reviewWorkflowId: string | null = null;
  if (decision.action !== 'ignore') {
    const alert: AlertRecord = {
      alertId: event.eventId,
      eventId: event.eventId,
      accountId: event.accountId,
      requestId: event.requestId,
      score: decision.score,
      reason: decision.reason,
      action: decision.action,
      source: decision.source,
      model: decision.model,
      fallbackReason: decision.fallbackReason,
    };
    reviewWorkflowId = alertReviewWorkflowId(alert.alertId);
    try {
      await startChild(alertReviewWorkflow, {
        workflowId: reviewWorkflowId,
        args: [{ alert, settings: { slaSeconds: input.settings.reviewSlaSeconds } }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: searchAttributeKeys.AccountId, value: alert.accountId },
          { key: searchAttributeKeys.AlertAction, value: alert.action },
          { key: searchAttributeKeys.AlertScore, value: alert.score },
        ],
        staticSummary: `Alert review: ${alert.action} ${alert.accountId} (score ${alert.score}, ${alert.source})`,
      });
    } catch (error) {
      // Already started (a reset of this workflow): the review in place is the one.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  setCurrentDetails(
    `decided ${decision.action} (score ${decision.score}, ${decision.source}${decision.fallbackReason ? `, fallback: ${decision.fallbackReason}` : ''})` +
      (reviewWorkflowId ? ` · review ${reviewWorkflowId}` : ''),
  );
  return { eventId: event.eventId, accountId: event.accountId, local, decision, reviewWorkflowId };
}
