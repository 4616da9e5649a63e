import { randomUUID } from 'node:crypto';
import type { ReplayCase } from '../replay-case';

export const cases: ReplayCase[] = [
  {
    name: 'probeWorkflow-hold-then-write',
    taskQueues: ['system'],
    start: (client) => {
      const probeId = randomUUID();
      return client.workflow.start('probeWorkflow', {
        workflowId: `probe-${probeId}`,
        taskQueue: 'system',
        args: [{ probeId, message: 'recorded', holdSeconds: 1, workSeconds: 1, context: { requestId: 'replay', principal: 'recorder' } }],
      });
    },
  },
];
