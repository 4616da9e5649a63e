/**
 * The publish workflow's activity stubs, with their timeouts and retries. Forward steps wait for a cancelled
 * attempt to stop (WAIT_CANCELLATION_COMPLETED), so the compensation starts only once nothing is still
 * uploading or writing. Validation failures are non-retryable ApplicationFailures raised by the activities.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { CatalogActivities } from '../../activities/catalog';

const transient = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 } as const;

/**
 * Streaming steps (import, snapshot, verify): long, heartbeating every second. A dead worker is noticed within
 * the heartbeat timeout, and a cancellation reaches the activity within 80 % of it (the SDK's heartbeat
 * throttle), so it is kept short.
 */
export const streaming = proxyActivities<CatalogActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: transient,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Database steps: short transactions, except apply (one transaction of every row; it heartbeats meanwhile). */
export const database = proxyActivities<CatalogActivities>({
  startToCloseTimeout: '20 minutes',
  heartbeatTimeout: '20 seconds',
  retry: transient,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** The compensation: retried for a long while, because giving up leaves a half-state for a person to fix. */
export const compensation = proxyActivities<CatalogActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
});

/** After the commit: best effort, a few quick tries (an event left in the outbox goes with the next publish). */
export const afterCommit = proxyActivities<CatalogActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 3 },
});
