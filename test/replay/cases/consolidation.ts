import { WorkflowIdReusePolicy } from '@temporalio/common';
import { addDays } from '../../../src/domain/consolidation/dates';
import { consolidationBackfillWorkflowId, consolidationWorkflowId } from '../../../src/domain/consolidation/run';
import { CONSOLIDATION_SCHEDULE_ID } from '../../../src/workers/schedules/consolidation';
import type { ReplayCase } from '../replay-case';

/** A day in the early 1900s that nothing else uses: the recorder's runs do not meet other data. */
const recordDay = () => addDays('1903-01-01', Math.floor(Math.random() * 3000));

export const cases: ReplayCase[] = [
  {
    name: 'consolidationWorkflow-empty-day',
    taskQueues: ['reports'],
    start: (client) => {
      const dataRef = recordDay();
      return client.workflow.start('consolidationWorkflow', {
        workflowId: consolidationWorkflowId(dataRef),
        taskQueue: 'reports',
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        args: [{ dataRef, requestedBy: 'recorder', requestId: 'replay', partitions: 2 }],
      });
    },
  },
  {
    name: 'consolidationBackfillWorkflow-two-days',
    taskQueues: ['reports'],
    start: (client) => {
      const from = recordDay();
      const to = addDays(from, 1);
      return client.workflow.start('consolidationBackfillWorkflow', {
        workflowId: consolidationBackfillWorkflowId(from, to),
        taskQueue: 'reports',
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        args: [{ from, to, requestedBy: 'recorder', requestId: 'replay' }],
      });
    },
  },
  {
    // As the schedule starts it, with the nominal time given (a schedule's own run reads it from
    // TemporalScheduledStartTime): the look-back, then the day as a child `consolidacao-<day>`.
    name: 'consolidationScheduledWorkflow-one-day',
    taskQueues: ['reports'],
    start: (client) => {
      const dataRef = recordDay();
      return client.workflow.start('consolidationScheduledWorkflow', {
        workflowId: `${CONSOLIDATION_SCHEDULE_ID}-replay-${dataRef}`,
        taskQueue: 'reports',
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        args: [{ scheduleId: CONSOLIDATION_SCHEDULE_ID, scheduledFor: `${dataRef}T21:00:00Z` }],
      });
    },
  },
];
