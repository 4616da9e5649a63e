import { randomUUID } from 'node:crypto';
import type { InsightChange, InsightWorkflowInput } from '../../../src/domain/insights/workflow';
import type { ReplayCase } from '../replay-case';

const context = { requestId: 'replay', principal: 'recorder' };
const change = (insightId: string, kind: InsightChange['kind'], title?: string): InsightChange => ({
  changeId: `${kind}:${insightId}`,
  kind,
  receivedAt: '2025-03-03T12:00:00.000Z',
  context,
  ...(title ? { content: { title, content: `${title}: histórico gravado para o teste de replay.`, tags: ['replay'], source: 'recorder' } } : {}),
});

/** Three changes queued in one run: create, update (new revision), delete. */
const createUpdateDelete = (name: string): ReplayCase => ({
  name,
  taskQueues: ['insights'],
  start: (client) => {
    const insightId = randomUUID();
    const input: InsightWorkflowInput = {
      insightId,
      userId: 'replay-user',
      settings: { graphRetryWindowSeconds: 600 },
      pending: [change(insightId, 'create', 'Primeira versão'), change(insightId, 'update', 'Segunda versão'), change(insightId, 'delete')],
    };
    return client.workflow.start('insightWorkflow', { workflowId: `insight-${insightId}`, taskQueue: 'insights', args: [input] });
  },
});

export const cases: ReplayCase[] = [
  // Recorded before the patch `insights-graph-local`: the graph written by a regular activity.
  createUpdateDelete('insightWorkflow-create-update-delete'),
  // Recorded after it: the graph written by a local activity.
  createUpdateDelete('insightWorkflow-local-graph-create-update-delete'),
  {
    name: 'insightsRecomputeWorkflow-paged',
    taskQueues: ['insights'],
    start: (client) =>
      client.workflow.start('insightsRecomputeWorkflow', {
        workflowId: `insights-recompute-replay-${randomUUID()}`,
        taskQueue: 'insights',
        args: [{ pageSize: 2, pagesPerRun: 100 }],
      }),
  },
  {
    name: 'insightsReconcileWorkflow-paged',
    taskQueues: ['insights'],
    start: (client) =>
      client.workflow.start('insightsReconcileWorkflow', {
        workflowId: `insights-reconcile-replay-${randomUUID()}`,
        taskQueue: 'insights',
        args: [{ pageSize: 2, pagesPerRun: 100 }],
      }),
  },
  {
    name: 'insightsWeeklyDigestWorkflow-period',
    taskQueues: ['insights'],
    start: (client) =>
      client.workflow.start('insightsWeeklyDigestWorkflow', {
        workflowId: `insights-digest-replay-${randomUUID()}`,
        taskQueue: 'insights',
        args: [{ periodEnd: '2030-01-07T11:00:00.000Z', days: 7 }],
      }),
  },
];
