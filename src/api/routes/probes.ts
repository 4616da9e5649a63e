/** `POST /v1/probes` starts the probe workflow; `GET /v1/probes/{probe_id}` reports its state and row. */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { probeRequestSchema, probeWorkflowId, type ProbeInput } from '../../domain/probe';
import { taskQueues } from '../../domain/task-queues';
import { toRecord } from '../../activities/probe';
import type { probeWorkflow } from '../../workflows/probe';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import '../route-config';
import { readers, writers } from '../../domain/roles';
import { requestContext } from '../request-context';
import { startIdempotent } from '../workflow-start';

const accepted = z.object({
  probe_id: z.uuid(),
  workflow_id: z.string(),
  status: z.literal('accepted'),
  status_url: z.string(),
});

const probeState = z.object({
  probe_id: z.uuid(),
  workflow_id: z.string(),
  workflow_status: z.string(),
  row: z
    .object({ probe_id: z.string(), message: z.string(), request_id: z.string(), recorded_at: z.string() })
    .nullable(),
});

export async function probeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/v1/probes',
    { config: { roles: writers }, schema: { tags: ['system'], summary: 'Start a probe workflow (end-to-end check)', body: probeRequestSchema, response: { 202: accepted } } },
    async (request, reply) => {
      const probeId = request.body.probe_id ?? randomUUID();
      const workflowId = probeWorkflowId(probeId);
      const context = requestContext(request);
      const input: ProbeInput = { probeId, message: request.body.message, holdSeconds: request.body.hold_seconds, workSeconds: request.body.work_seconds, context };
      await startIdempotent<typeof probeWorkflow>(deps.temporal, {
        workflow: 'probeWorkflow',
        workflowId,
        taskQueue: taskQueues.system,
        args: [input],
        context,
        summary: `Probe: ${request.body.message.slice(0, 80)}`,
      });
      return reply.code(202).send({ probe_id: probeId, workflow_id: workflowId, status: 'accepted', status_url: `/v1/probes/${probeId}` });
    },
  );

  api.get(
    '/v1/probes/:probe_id',
    { config: { roles: readers }, schema: { tags: ['system'], summary: 'Probe workflow state and its PostgreSQL row', params: z.object({ probe_id: z.uuid() }), response: { 200: probeState } } },
    async (request) => {
      const { probe_id: probeId } = request.params;
      const workflowId = probeWorkflowId(probeId);
      let workflowStatus: string;
      try {
        workflowStatus = (await deps.temporal.workflow.getHandle(workflowId).describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw notFound(`no probe ${probeId}`);
        throw error;
      }
      const { rows } = await deps.stores.postgres
        .pool()
        .query('SELECT probe_id, message, request_id, recorded_at FROM system_probes WHERE probe_id = $1', [probeId]);
      const record = rows[0] ? toRecord(rows[0]) : undefined;
      return {
        probe_id: probeId,
        workflow_id: workflowId,
        workflow_status: workflowStatus,
        row: record
          ? { probe_id: record.probeId, message: record.message, request_id: record.requestId, recorded_at: record.recordedAt }
          : null,
      };
    },
  );
}
