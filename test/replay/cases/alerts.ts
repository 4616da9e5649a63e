/**
 * Recorded alert workflows: an evaluation decided by the local model alone, an evaluation through the LLM
 * activity (whatever it answers while recording — a fallback when no LLM is configured — the history has the
 * same shape), the review saga confirmed with a block, dismissed (the hold's compensation), escalated past its
 * SLA and then confirmed, and the hourly feature refresh. Review cases seed their evaluation row first (the alert
 * row references it) and start the saga directly with a fixed alert.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../../../src/config';
import {
  ALERT_EVALUATION_WORKFLOW,
  ALERT_FEATURE_REFRESH_WORKFLOW,
  ALERT_REVIEW_WORKFLOW,
  alertReviewWorkflowId,
  alertWorkflowId,
  type AlertRecord,
} from '../../../src/domain/alerts/alert';
import { alertReviewStateQuery, confirmAlertUpdate, dismissAlertUpdate, type AlertReviewInput } from '../../../src/domain/alerts/review';
import { migrate } from '../../../src/stores/migrate';
import { createPostgresStore } from '../../../src/stores/postgres';
import { evaluationInput } from '../../support/alerts';
import type { ReplayCase } from '../replay-case';

const analyst = { reviewer: 'replay-analyst', roles: ['analyst' as const] };

async function startEvaluation(client: Client, amount: string, prefilter: number): Promise<WorkflowHandle> {
  const postgres = createPostgresStore(loadConfig());
  try {
    await migrate(postgres.pool());
  } finally {
    await postgres.close();
  }
  const input = evaluationInput(`acc-replay-${randomUUID().slice(0, 8)}`, { amount, prefilter });
  return client.workflow.start(ALERT_EVALUATION_WORKFLOW, { workflowId: alertWorkflowId(input.event.eventId), taskQueue: 'alerts', args: [input] });
}

/** Seeds the evaluation the alert comes from, then starts its review saga. */
async function startReview(client: Client, action: AlertRecord['action'], slaSeconds = 3600): Promise<WorkflowHandle> {
  const alert: AlertRecord = {
    alertId: randomUUID(),
    eventId: '',
    accountId: `acc-replay-${randomUUID().slice(0, 8)}`,
    requestId: randomUUID(),
    score: 0.95,
    reason: 'recorded: amount 40× the 30-day mean',
    action,
    source: 'llm',
    model: 'gemini-2.5-flash',
    fallbackReason: null,
  };
  alert.eventId = alert.alertId;
  const postgres = createPostgresStore(loadConfig());
  try {
    await migrate(postgres.pool());
    await postgres.pool().query(
      `INSERT INTO alert_evaluations (event_id, account_id, request_id, occurred_at, local_score, model_version, score, action, source, model, reason, workflow_id)
       VALUES ($1, $2, $3, now(), 0.9, 'logistic-v1', $4, $5, 'llm', $6, $7, $8)`,
      [alert.eventId, alert.accountId, alert.requestId, alert.score, alert.action, alert.model, alert.reason, alertWorkflowId(alert.eventId)],
    );
  } finally {
    await postgres.close();
  }
  const input: AlertReviewInput = { alert, settings: { slaSeconds } };
  return client.workflow.start(ALERT_REVIEW_WORKFLOW, { workflowId: alertReviewWorkflowId(alert.alertId), taskQueue: 'alerts', args: [input] });
}

async function whenAwaiting(handle: WorkflowHandle, status: 'open' | 'escalated' = 'open'): Promise<void> {
  for (;;) {
    const state = await handle.query(alertReviewStateQuery);
    if (state.awaitingDecision && state.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const cases: ReplayCase[] = [
  {
    name: 'alertEvaluationWorkflow-local-only',
    taskQueues: ['alerts'],
    // A pre-filter of 1: the local model decides alone, the LLM activity is never scheduled.
    start: (client) => startEvaluation(client, '12.00', 1),
  },
  {
    name: 'alertEvaluationWorkflow-llm-review',
    taskQueues: ['alerts'],
    start: (client) => startEvaluation(client, '12.00', 0),
  },
  {
    name: 'alertEvaluationWorkflow-raises-alert',
    taskQueues: ['alerts'],
    // 50,000.00 on an account without history: the local model says monitor, so the review saga starts as a child.
    start: (client) => startEvaluation(client, '50000.00', 1),
    async drive(client, handle) {
      const result = (await handle.result()) as { reviewWorkflowId: string | null };
      // The abandoned child would wait for an analyst forever: end it, its history is recorded by other cases.
      if (result.reviewWorkflowId) await client.workflow.getHandle(result.reviewWorkflowId).terminate('recorded');
    },
  },
  {
    name: 'alertReviewWorkflow-confirmed-block',
    taskQueues: ['alerts'],
    start: (client) => startReview(client, 'block'),
    async drive(_client, handle) {
      await whenAwaiting(handle);
      await handle.executeUpdate(confirmAlertUpdate, { args: [{ ...analyst, note: 'recorded' }] });
    },
  },
  {
    name: 'alertReviewWorkflow-dismissed',
    taskQueues: ['alerts'],
    start: (client) => startReview(client, 'block'),
    async drive(_client, handle) {
      await whenAwaiting(handle);
      await handle.executeUpdate(dismissAlertUpdate, { args: [{ ...analyst, note: 'recorded false positive' }] });
    },
  },
  {
    name: 'alertReviewWorkflow-escalated-then-confirmed',
    taskQueues: ['alerts'],
    start: (client) => startReview(client, 'monitor', 2),
    async drive(_client, handle) {
      await whenAwaiting(handle, 'escalated');
      await handle.executeUpdate(confirmAlertUpdate, { args: [analyst] });
    },
  },
  {
    name: 'alertFeatureRefreshWorkflow-run',
    taskQueues: ['alerts'],
    start: (client) => client.workflow.start(ALERT_FEATURE_REFRESH_WORKFLOW, { workflowId: `alerts-features-refresh-replay-${randomUUID()}`, taskQueue: 'alerts', args: [] }),
  },
];
