/**
 * The alert evaluation and its review saga on the time-skipping server, with the real activities on PostgreSQL,
 * the real LLM client against the Vertex stand-in, and the webhook stand-in: decisions, holds, confirmations,
 * dismissals (compensation), the SLA escalation and the analyst-only updates.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAlertActivities } from '../../src/activities/alerts';
import { loadConfig } from '../../src/config';
import { alertReviewWorkflowId, alertWorkflowId, type AlertEvaluationInput, type AlertEvaluationResult } from '../../src/domain/alerts/alert';
import { alertReviewErrors, alertReviewStateQuery, confirmAlertUpdate, dismissAlertUpdate } from '../../src/domain/alerts/review';
import { createPostgresStore } from '../../src/stores/postgres';
import { alertEvaluationWorkflow } from '../../src/workflows/alerts/evaluate';
import { alertReviewWorkflow } from '../../src/workflows/alerts/review';
import { startWebhookStandIn, type WebhookStandIn } from '../support/alerts-webhook';
import { alertRow, blockState, evaluationInput, evaluationRow, siemKinds } from '../support/alerts';
import { eventually } from '../support/app';
import { testWorker, timeSkippingEnv, uniqueQueue } from '../support/temporal';
import { startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in';

// Worker start-up and skipped timers on a loaded 2-core machine.
jest.setTimeout(180_000);

/** temporal.api.enums.v1.IndexedValueType */
const KEYWORD = 2;
const DOUBLE = 4;

let env: TestWorkflowEnvironment;
let standIn: VertexStandIn;
let webhook: WebhookStandIn;
const postgres = createPostgresStore(loadConfig());
const pool = () => postgres.pool();
const analyst = { reviewer: 'ana', roles: ['analyst' as const] };

/** A fresh time-skipping server with fluxo's alert search attributes. */
async function startEnv(): Promise<void> {
  env = await timeSkippingEnv();
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: { AccountId: KEYWORD, AlertAction: KEYWORD, AlertScore: DOUBLE },
  });
}

beforeAll(async () => {
  standIn = await startVertexStandIn();
  webhook = await startWebhookStandIn();
});
afterAll(async () => {
  await standIn?.close();
  await webhook?.close();
  await postgres.close();
});

async function withWorker<T>(run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueQueue('alerts');
  const config = loadConfig({
    ...process.env,
    ALERTS_LLM_AUTH: 'api-key',
    ALERTS_LLM_API_KEY: 'stand-in-key',
    ALERTS_LLM_ENDPOINT: standIn.url,
    ALERTS_LLM_RATE_PER_SECOND: '1000',
    ALERTS_LLM_BURST: '1000',
    ALERTS_NOTIFY_WEBHOOK_URL: webhook.url,
  });
  const worker = await testWorker(env, { taskQueue, activities: createAlertActivities({ postgres }, config) });
  return worker.runUntil(run(taskQueue));
}

const evaluate = async (taskQueue: string, input: AlertEvaluationInput): Promise<AlertEvaluationResult> =>
  env.client.workflow.execute(alertEvaluationWorkflow, { workflowId: alertWorkflowId(input.event.eventId), taskQueue, args: [input] });

const reviewHandle = (alertId: string) => env.client.workflow.getHandle<typeof alertReviewWorkflow>(alertReviewWorkflowId(alertId));

/** Waits until the saga stored the alert and is awaiting an analyst. */
const awaitingReview = (alertId: string) =>
  eventually(async () => {
    const state = await reviewHandle(alertId).query(alertReviewStateQuery);
    const row = await alertRow(pool(), alertId);
    return row && state.awaitingDecision ? state : undefined;
  });

describe('decisions', () => {
  beforeAll(startEnv);
  afterAll(async () => env?.teardown());

  test('an LLM block decision holds the account; the analyst confirms: block confirmed, SIEM lines, webhook notified', async () => {
    standIn.respondWith({ kind: 'verdict', verdict: { score: 0.97, reason: 'amount 90× the usual at night', action: 'block' } });
    await withWorker(async (taskQueue) => {
      const input = evaluationInput('acc-wf-block');
      const result = await evaluate(taskQueue, input);
      expect(result.decision).toMatchObject({ action: 'block', source: 'llm', score: 0.97, fallbackReason: null, promptVersion: 'alert-review-v1' });
      expect(result.reviewWorkflowId).toBe(alertReviewWorkflowId(input.event.eventId));
      expect(await evaluationRow(pool(), input.event.eventId)).toMatchObject({ action: 'block', source: 'llm', account_id: 'acc-wf-block' });

      const alertId = input.event.eventId;
      const state = await awaitingReview(alertId);
      expect(state.block).toBe('held');
      expect(await blockState(pool(), alertId)).toBe('held');

      const confirmed = await reviewHandle(alertId).executeUpdate(confirmAlertUpdate, { args: [{ ...analyst, note: 'card testing pattern' }] });
      expect(confirmed).toMatchObject({ status: 'confirmed', block: 'confirmed', effectiveAction: 'block', reviewedBy: 'ana', falsePositive: false });
      await reviewHandle(alertId).result();
      expect(await alertRow(pool(), alertId)).toMatchObject({ status: 'confirmed', reviewed_by: 'ana', review_action: 'block', false_positive: false });
      expect(await blockState(pool(), alertId)).toBe('confirmed');
      expect(await siemKinds(pool(), alertId)).toEqual(['alert-raised', 'account-held', 'account-blocked', 'review-confirmed']);
      const calls = webhook.calls.filter((call) => call.body.alert_id === alertId);
      expect(calls.map((call) => call.body.kind)).toEqual(['alert-raised', 'alert-confirmed']);
      expect(calls[0]!.idempotencyKey).toBe(`${alertId}:alert-raised`);
    });
  });

  test('dismissing a held alert runs the compensation: the account is released and the alert marked a false positive', async () => {
    standIn.respondWith({ kind: 'verdict', verdict: { score: 0.9, reason: 'large transfer', action: 'block' } });
    await withWorker(async (taskQueue) => {
      const input = evaluationInput('acc-wf-dismiss');
      await evaluate(taskQueue, input);
      const alertId = input.event.eventId;
      await awaitingReview(alertId);
      expect(await blockState(pool(), alertId)).toBe('held');

      const dismissed = await reviewHandle(alertId).executeUpdate(dismissAlertUpdate, { args: [{ ...analyst, note: 'known supplier payment' }] });
      expect(dismissed).toMatchObject({ status: 'dismissed', block: 'released', falsePositive: true });
      await reviewHandle(alertId).result();
      expect(await alertRow(pool(), alertId)).toMatchObject({ status: 'dismissed', false_positive: true, review_note: 'known supplier payment' });
      expect(await blockState(pool(), alertId)).toBe('released');
      expect(await siemKinds(pool(), alertId)).toEqual(['alert-raised', 'account-held', 'account-released', 'review-dismissed']);
    });
  });

  test('only an analyst (or admin) may decide, and only once', async () => {
    standIn.respondWith({ kind: 'verdict', verdict: { score: 0.6, reason: 'worth watching', action: 'monitor' } });
    await withWorker(async (taskQueue) => {
      const input = evaluationInput('acc-wf-roles');
      await evaluate(taskQueue, input);
      const alertId = input.event.eventId;
      await awaitingReview(alertId);

      const refusal = await reviewHandle(alertId)
        .executeUpdate(confirmAlertUpdate, { args: [{ reviewer: 'olivia', roles: ['operator', 'viewer'] }] })
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refusal as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(alertReviewErrors.notAReviewer);
      expect((await alertRow(pool(), alertId)).status).toBe('open');

      // Confirming a monitor alert with action block blocks the account.
      const confirmed = await reviewHandle(alertId).executeUpdate(confirmAlertUpdate, { args: [{ ...analyst, action: 'block' }] });
      expect(confirmed).toMatchObject({ status: 'confirmed', action: 'monitor', effectiveAction: 'block', block: 'confirmed' });
      expect(await blockState(pool(), alertId)).toBe('confirmed');
      await reviewHandle(alertId).result();
      const again = await reviewHandle(alertId).executeUpdate(dismissAlertUpdate, { args: [analyst] }).catch((error: unknown) => error);
      expect(again).toBeInstanceOf(Error);
      expect((await alertRow(pool(), alertId)).status).toBe('confirmed');
    });
  });

  test('below the pre-filter the local model decides alone; an LLM failure is recorded as a fallback', async () => {
    await withWorker(async (taskQueue) => {
      const quiet = evaluationInput('acc-wf-quiet', { amount: '12.00', prefilter: 0.99 });
      const requestsBefore = standIn.requests.length;
      const ignored = await evaluate(taskQueue, quiet);
      expect(ignored.decision).toMatchObject({ source: 'local', fallbackReason: null, promptVersion: null });
      expect(ignored.decision.action).toBe(ignored.local.action);
      expect(standIn.requests.length).toBe(requestsBefore);

      standIn.respondWith({ kind: 'status', status: 503 });
      const failing = evaluationInput('acc-wf-503', { amount: '12.00' });
      const fallback = await evaluate(taskQueue, failing);
      expect(fallback.decision).toMatchObject({ source: 'local', fallbackReason: 'http_5xx', action: fallback.local.action });
      expect(await evaluationRow(pool(), failing.event.eventId)).toMatchObject({ source: 'local', fallback_reason: 'http_5xx' });
    });
  });

  test('cancelling a review compensates: the hold is released and the alert cancelled', async () => {
    standIn.respondWith({ kind: 'verdict', verdict: { score: 0.95, reason: 'burst', action: 'block' } });
    await withWorker(async (taskQueue) => {
      const input = evaluationInput('acc-wf-cancel');
      await evaluate(taskQueue, input);
      const alertId = input.event.eventId;
      await awaitingReview(alertId);
      await reviewHandle(alertId).cancel();
      const final = await reviewHandle(alertId).result();
      expect(final).toMatchObject({ status: 'cancelled', block: 'released' });
      expect(await blockState(pool(), alertId)).toBe('released');
      expect((await alertRow(pool(), alertId)).status).toBe('cancelled');
    });
  });
});

// On its own server: skipping half an hour is quick only on a server with no other history on it.
describe('SLA', () => {
  beforeAll(startEnv);
  afterAll(async () => env?.teardown());

  test('past the SLA the alert is escalated (notice sent) and still awaits the analyst', async () => {
    standIn.respondWith({ kind: 'verdict', verdict: { score: 0.7, reason: 'a person should look', action: 'escalate' } });
    await withWorker(async (taskQueue) => {
      const input = evaluationInput('acc-wf-sla', { slaSeconds: 1800 });
      await evaluate(taskQueue, input);
      const alertId = input.event.eventId;
      await awaitingReview(alertId);
      await env.sleep(1801 * 1000);
      const state = await eventually(async () => {
        const current = await reviewHandle(alertId).query(alertReviewStateQuery);
        return current.status === 'escalated' ? current : undefined;
      });
      expect(state.escalatedAt).not.toBeNull();
      expect(await alertRow(pool(), alertId)).toMatchObject({ status: 'escalated' });
      expect(await siemKinds(pool(), alertId)).toEqual(['alert-raised', 'review-escalated']);
      expect(webhook.calls.filter((call) => call.body.alert_id === alertId).map((call) => call.body.kind)).toEqual(['alert-raised', 'alert-escalated']);

      const confirmed = await reviewHandle(alertId).executeUpdate(confirmAlertUpdate, { args: [analyst] });
      expect(confirmed).toMatchObject({ status: 'confirmed', effectiveAction: 'escalate', block: null });
    });
  });
});
