/**
 * The consolidation's schedule: `consolidacao-diaria`, the seed's Argo-scheduled Reports Worker job, every day
 * at 18:00 São Paulo time for that same day (18:00 is the business day's close and the seed wants the
 * reports within 15 minutes of it). Entries of the day that arrive later (late entries) are picked up by the
 * next day's run, which re-runs the changed days of its look-back window first (CONSOLIDATION_LOOKBACK_DAYS).
 *
 * Overlap SKIP: a run still going at the next 18:00 is left alone (the next day's run re-runs what it missed).
 * Catch-up window 6 hours: after an outage a missed 18:00 still runs until midnight, for its own day; older
 * misses are covered by the look-back of the next run instead of a burst of catch-up runs.
 */
import { CONSOLIDATION_SCHEDULED_WORKFLOW, type ScheduledConsolidationInput } from '../../domain/consolidation/run';
import { taskQueues } from '../../domain/task-queues';
import type { ScheduleDefinition } from './types';

export const CONSOLIDATION_SCHEDULE_ID = 'consolidacao-diaria';

const input: ScheduledConsolidationInput = { scheduleId: CONSOLIDATION_SCHEDULE_ID };

export const consolidationSchedules: ScheduleDefinition[] = [
  {
    id: CONSOLIDATION_SCHEDULE_ID,
    description: 'Daily consolidation (consolidacao_diaria) of the day at 18:00 America/Sao_Paulo: balances, reports_* views, Parquet, reconciliation',
    spec: { cronExpressions: ['0 18 * * *'], timezone: 'America/Sao_Paulo' },
    workflowType: CONSOLIDATION_SCHEDULED_WORKFLOW,
    taskQueue: taskQueues.reports,
    args: [input],
    workflowId: CONSOLIDATION_SCHEDULE_ID,
    summary: 'Scheduled daily consolidation (consolidacao-diaria)',
    // The target is 15 minutes; a day of catch-up re-runs may take longer, a stuck run must not linger.
    workflowExecutionTimeout: '6 hours',
    overlap: 'SKIP',
    catchupWindow: '6 hours',
  },
];
