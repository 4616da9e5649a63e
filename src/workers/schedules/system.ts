/**
 * The system domain's schedules: an hourly synthetic probe, the end-to-end check that the workers, the system
 * task queue and PostgreSQL answer without any caller; a failed or missing run shows in the Web UI.
 */
import type { ProbeInput } from '../../domain/probe';
import { taskQueues } from '../../domain/task-queues';
import type { ScheduleDefinition } from './types';

/** Every run upserts the same row (the probe activity is idempotent by id), so the check leaves no trail. */
const SCHEDULED_PROBE_ID = '00000000-0000-4000-8000-00000000c0de';

const probeInput: ProbeInput = {
  probeId: SCHEDULED_PROBE_ID,
  message: 'scheduled synthetic probe',
  holdSeconds: 0,
  workSeconds: 0,
  context: { requestId: 'schedule:system-probe-hourly', principal: 'schedule:system-probe-hourly' },
};

export const systemSchedules: ScheduleDefinition[] = [
  {
    id: 'system-probe-hourly',
    description: 'Synthetic end-to-end check: a probe workflow upserts its row every hour',
    spec: { cronExpressions: ['7 * * * *'], timezone: 'UTC' },
    workflowType: 'probeWorkflow',
    taskQueue: taskQueues.system,
    args: [probeInput],
    workflowId: 'probe-scheduled',
    summary: 'Scheduled synthetic probe',
    workflowExecutionTimeout: '10 minutes',
  },
];
