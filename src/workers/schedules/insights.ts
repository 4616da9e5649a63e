/**
 * The insights domain's schedules, the seed's Celery Beat jobs as Temporal Schedules:
 * - `insights-relationships-nightly`: document frequencies, keyword weights and related insights recomputed
 *   for the whole corpus, 03:30 São Paulo time (after the day's traffic);
 * - `insights-digest-weekly`: each user's digest of the 7 days before Monday 08:00 São Paulo time;
 * - `insights-reconcile-hourly`: MongoDB and Neo4j compared and repaired, every hour at :20.
 * Overlap SKIP everywhere: a run still going (a large recomputation) is never doubled.
 */
import {
  INSIGHTS_DIGEST_WORKFLOW,
  INSIGHTS_RECOMPUTE_WORKFLOW,
  INSIGHTS_RECONCILE_WORKFLOW,
  type DigestInput,
  type ReconcileInput,
  type RecomputeInput,
} from '../../domain/insights/periodic';
import { taskQueues } from '../../domain/task-queues';
import type { ScheduleDefinition } from './types';

export const INSIGHTS_RECOMPUTE_SCHEDULE_ID = 'insights-relationships-nightly';
export const INSIGHTS_DIGEST_SCHEDULE_ID = 'insights-digest-weekly';
export const INSIGHTS_RECONCILE_SCHEDULE_ID = 'insights-reconcile-hourly';

const recompute: RecomputeInput = {};
const digest: DigestInput = { scheduleId: INSIGHTS_DIGEST_SCHEDULE_ID, days: 7 };
const reconcile: ReconcileInput = {};

export const insightSchedules: ScheduleDefinition[] = [
  {
    id: INSIGHTS_RECOMPUTE_SCHEDULE_ID,
    description: 'Nightly insight relationship recomputation (term statistics, keyword weights, related insights), 03:30 America/Sao_Paulo',
    spec: { cronExpressions: ['30 3 * * *'], timezone: 'America/Sao_Paulo' },
    workflowType: INSIGHTS_RECOMPUTE_WORKFLOW,
    taskQueue: taskQueues.insights,
    args: [recompute],
    workflowId: INSIGHTS_RECOMPUTE_SCHEDULE_ID,
    summary: 'Scheduled insight relationship recomputation',
    // Spans every continue-as-new run; a corpus that needs longer than this should get a bigger page size.
    workflowExecutionTimeout: '6 hours',
    overlap: 'SKIP',
    catchupWindow: '3 hours',
  },
  {
    id: INSIGHTS_DIGEST_SCHEDULE_ID,
    description: 'Weekly per-user insight digest of the previous 7 days, Mondays 08:00 America/Sao_Paulo',
    spec: { cronExpressions: ['0 8 * * 1'], timezone: 'America/Sao_Paulo' },
    workflowType: INSIGHTS_DIGEST_WORKFLOW,
    taskQueue: taskQueues.insights,
    args: [digest],
    workflowId: INSIGHTS_DIGEST_SCHEDULE_ID,
    summary: 'Scheduled weekly insight digest',
    workflowExecutionTimeout: '2 hours',
    overlap: 'SKIP',
    catchupWindow: '1 day',
  },
  {
    id: INSIGHTS_RECONCILE_SCHEDULE_ID,
    description: 'Hourly MongoDB ↔ Neo4j reconciliation of insights: repairs drift and reports counts',
    spec: { cronExpressions: ['20 * * * *'], timezone: 'UTC' },
    workflowType: INSIGHTS_RECONCILE_WORKFLOW,
    taskQueue: taskQueues.insights,
    args: [reconcile],
    workflowId: INSIGHTS_RECONCILE_SCHEDULE_ID,
    summary: 'Scheduled insights reconciliation',
    workflowExecutionTimeout: '55 minutes',
    overlap: 'SKIP',
    // A missed hour is covered by the next one.
    catchupWindow: '30 minutes',
  },
];
