/**
 * The consolidation's activity stubs with their timeouts. Transient failures (PostgreSQL restarting, object
 * storage hiccups) are retried with backoff for up to the schedule-to-close bound, so a run waits out an
 * outage instead of failing; a failure marked non-retryable (the reconciliation's mismatch) is never retried.
 */
import { proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { ConsolidationActivities } from '../../activities/consolidation';

const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };

/** Short writes: the run record. */
export const records = proxyActivities<ConsolidationActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry,
});

/** Long steps: one big statement or a stream of them, heartbeating every few seconds. */
export const steps = proxyActivities<ConsolidationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '3 hours',
  retry,
});
