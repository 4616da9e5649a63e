/**
 * A schedule is the Temporal replacement for a cron job (Celery Beat, Argo CronWorkflow, crontab): one typed
 * definition per schedule, in the file of the domain that owns it, listed in ./index.ts, applied idempotently
 * by `npm run schedules:apply` (see ./apply.ts).
 */
import type { Duration, SearchAttributePair } from '@temporalio/common';
import type { ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import type { TaskQueue } from '../../domain/task-queues';

export interface ScheduleDefinition {
  /** Schedule id, `<domain>-<what>`, e.g. `reports-consolidation-daily`; stable: renaming creates a new schedule. */
  id: string;
  /** One line for operators: shown as the schedule's note and in GET /v1/schedules. */
  description: string;
  /** When: cron expressions, calendars or intervals, with an IANA time zone (e.g. America/Sao_Paulo). */
  spec: ScheduleSpec;
  workflowType: string;
  taskQueue: TaskQueue;
  /**
   * Static arguments. A run that needs "its" date (yesterday's consolidation) derives it from the scheduled
   * time in the workflow (the `TemporalScheduledStartTime` search attribute), not from here.
   */
  args: unknown[];
  /** Prefix of the started workflow ids; Temporal appends the scheduled time, which keeps each run unique. */
  workflowId: string;
  /** Static summary of each started workflow in the Web UI. */
  summary: string;
  workflowExecutionTimeout?: Duration;
  /** What happens when a run is still going at the next time; default SKIP. */
  overlap?: ScheduleOverlapPolicy;
  /** How late a missed run may still start after an outage; default 1 day (Temporal's is 1 year). */
  catchupWindow?: Duration;
  /** Pause the schedule when a run fails, so an operator looks before the next one. */
  pauseOnFailure?: boolean;
  /** Create the schedule paused. Applies at creation only: apply never overrides an operator's pause. */
  paused?: boolean;
  /** Extra search attributes on started workflows (Principal is set to `schedule:<id>`). */
  searchAttributes?: SearchAttributePair[];
}
