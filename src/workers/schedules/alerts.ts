/**
 * The alerts domain's schedule: `alerts-features-hourly` refreshes every account's rolling features (1 h / 24 h /
 * 30 d windows decay even for accounts without new entries; an evaluation refreshes its own account as it runs).
 */
import { ALERT_FEATURE_REFRESH_WORKFLOW } from '../../domain/alerts/alert';
import { taskQueues } from '../../domain/task-queues';
import type { ScheduleDefinition } from './types';

export const alertSchedules: ScheduleDefinition[] = [
  {
    id: 'alerts-features-hourly',
    description: 'Hourly refresh of the alert feature store (per-account rolling features over 1 h / 24 h / 30 d)',
    spec: { cronExpressions: ['17 * * * *'], timezone: 'UTC' },
    workflowType: ALERT_FEATURE_REFRESH_WORKFLOW,
    taskQueue: taskQueues.alerts,
    args: [],
    workflowId: 'alerts-features-refresh',
    summary: 'Scheduled alert feature refresh (alerts-features-hourly)',
    workflowExecutionTimeout: '55 minutes',
    overlap: 'SKIP',
    catchupWindow: '1 hour',
  },
];
