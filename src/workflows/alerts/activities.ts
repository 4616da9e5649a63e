/** The alerts workflows' activity stubs, with their timeouts and retries. */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { AlertActivities } from '../../activities/alerts';

/** Short PostgreSQL steps: transient failures retried for up to ten minutes. */
export const steps = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * The LLM review: waits for the shared rate limit (ALERTS_LLM_MAX_QUEUE_MS) and the call (ALERTS_LLM_TIMEOUT_MS),
 * heartbeating meanwhile. LLM failures come back as a fallback decision; only infrastructure failures throw, and
 * after a few attempts the workflow falls back itself, so the decision is never held up by the LLM path.
 */
export const llm = proxyActivities<AlertActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 3 },
});

/** Webhook notifications (bounded by ALERTS_NOTIFY_TIMEOUT_MS); a lost notification must not stop the saga. */
export const notifications = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Compensations retry until they succeed: an account must never stay blocked by a dismissed alert. */
export const compensations = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The hourly refresh of every account's features: long, heartbeating, resumed from its last page. */
export const refresh = proxyActivities<AlertActivities>({
  startToCloseTimeout: '50 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});
