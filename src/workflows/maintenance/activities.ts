/**
 * The saga's activity stubs, with their timeouts and retries. Forward steps wait for a cancelled attempt to
 * finish (WAIT_CANCELLATION_COMPLETED) so compensation starts only once nothing is still writing.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { MaintenanceActivities } from '../../activities/maintenance';

/** Database steps: short transactions; transient errors retried for up to ten minutes, business errors never. */
export const steps = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Notifications call a webhook (bounded by MAINTENANCE_NOTIFY_TIMEOUT_MS). */
export const notifications = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** The crew's work: long, heartbeating, resumed from the last heartbeat when a worker dies. */
export const execution = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Compensations: each retried `maxAttempts` times before the saga reports it as failed. */
export const compensationActivities = (maxAttempts: number) =>
  proxyActivities<MaintenanceActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: maxAttempts },
  });
