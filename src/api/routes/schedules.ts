/**
 * Schedules (the cron replacements, defined in src/workers/schedules and applied by `npm run schedules:apply`):
 * list and inspect them, trigger a run now, pause/unpause (the note records who and why), and backfill a
 * past range. Every action is logged with the principal; the note of a pause names it too.
 */
import { ScheduleNotFoundError, type ScheduleDescription, type ScheduleExecutionResult, type ScheduleSummary } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { operators, readers } from '../../domain/roles';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../problem';
import '../route-config';

const MAX_BACKFILL_DAYS = 366;
const overlap = z.enum(['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL']);
const params = z.object({ schedule_id: z.string().regex(/^[\w.-]{1,200}$/) });
// Fastify hands a body-less POST to validation as null: these bodies are optional.
const noteBody = z.object({ note: z.string().min(1).max(500).optional() }).strict().nullish();

const recentAction = z.object({ scheduled_at: z.string(), taken_at: z.string(), workflow_id: z.string() });
const scheduleView = z.object({
  schedule_id: z.string(),
  workflow_type: z.string().nullable(),
  description: z.string().nullable(),
  managed_by_fluxo: z.boolean(),
  paused: z.boolean(),
  note: z.string().nullable(),
  next_action_times: z.array(z.string()),
  recent_actions: z.array(recentAction),
});
const scheduleDetail = scheduleView.extend({
  task_queue: z.string().nullable(),
  overlap: z.string().nullable(),
  num_actions_taken: z.number(),
  running_workflow_ids: z.array(z.string()),
});

const recent = (actions: ScheduleExecutionResult[]) =>
  actions.map((result) => ({
    scheduled_at: result.scheduledAt.toISOString(),
    taken_at: result.takenAt.toISOString(),
    workflow_id: result.action.workflow.workflowId,
  }));

function summaryView(summary: ScheduleSummary | ScheduleDescription): z.infer<typeof scheduleView> {
  const memo = summary.memo ?? {};
  return {
    schedule_id: summary.scheduleId,
    workflow_type: summary.action?.workflowType ?? null,
    description: typeof memo.description === 'string' ? memo.description : null,
    managed_by_fluxo: memo.managed_by === 'fluxo',
    paused: summary.state.paused,
    note: summary.state.note || null,
    next_action_times: summary.info.nextActionTimes.map((time) => time.toISOString()),
    recent_actions: recent(summary.info.recentActions),
  };
}

export async function scheduleRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const schedules = () => deps.temporal.schedule;

  /** Runs a schedule operation, turning "no such schedule" into a 404 problem. */
  async function onSchedule<T>(scheduleId: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw notFound(`no schedule ${scheduleId}`);
      throw error;
    }
  }
  const detail = async (scheduleId: string): Promise<z.infer<typeof scheduleDetail>> => {
    const description = await onSchedule(scheduleId, () => schedules().getHandle(scheduleId).describe());
    return {
      ...summaryView(description),
      task_queue: description.action.taskQueue ?? null,
      overlap: description.policies.overlap ?? null,
      num_actions_taken: description.info.numActionsTaken,
      running_workflow_ids: description.info.runningActions.map((action) => action.workflow.workflowId),
    };
  };

  api.get(
    '/v1/schedules',
    {
      config: { roles: readers },
      schema: { tags: ['schedules'], summary: 'Every schedule in the namespace (eventually consistent listing)', response: { 200: z.object({ schedules: z.array(scheduleView) }) } },
    },
    async () => {
      const found: z.infer<typeof scheduleView>[] = [];
      for await (const summary of schedules().list()) found.push(summaryView(summary));
      return { schedules: found.sort((a, b) => a.schedule_id.localeCompare(b.schedule_id)) };
    },
  );

  api.get(
    '/v1/schedules/:schedule_id',
    { config: { roles: readers }, schema: { tags: ['schedules'], summary: 'One schedule, as Temporal describes it now', params, response: { 200: scheduleDetail } } },
    async (request) => detail(request.params.schedule_id),
  );

  api.post(
    '/v1/schedules/:schedule_id/trigger',
    {
      config: { roles: operators },
      schema: {
        tags: ['schedules'],
        summary: "Start a run now (the schedule's overlap policy unless one is given)",
        params,
        body: z.object({ overlap: overlap.optional() }).strict().nullish(),
        response: { 202: z.object({ schedule_id: z.string(), status: z.literal('triggered'), status_url: z.string() }) },
      },
    },
    async (request, reply) => {
      const { schedule_id: scheduleId } = request.params;
      await onSchedule(scheduleId, () => schedules().getHandle(scheduleId).trigger(request.body?.overlap));
      request.log.info({ scheduleId }, 'schedule triggered');
      return reply.code(202).send({ schedule_id: scheduleId, status: 'triggered', status_url: `/v1/schedules/${scheduleId}` });
    },
  );

  for (const change of ['pause', 'unpause'] as const) {
    api.post(
      `/v1/schedules/:schedule_id/${change}`,
      {
        config: { roles: operators },
        schema: { tags: ['schedules'], summary: `${change === 'pause' ? 'Pause' : 'Unpause'} a schedule; the note records who and why`, params, body: noteBody, response: { 200: scheduleDetail } },
      },
      async (request) => {
        const { schedule_id: scheduleId } = request.params;
        const note = `${change}d by ${request.principal ?? 'anonymous'}${request.body?.note ? `: ${request.body.note}` : ''}`;
        await onSchedule(scheduleId, () => schedules().getHandle(scheduleId)[change](note));
        request.log.info({ scheduleId, note }, `schedule ${change}d`);
        return detail(scheduleId);
      },
    );
  }

  api.post(
    '/v1/schedules/:schedule_id/backfill',
    {
      config: { roles: operators },
      schema: {
        tags: ['schedules'],
        summary: `Run the schedule for every time it would have fired in [from, to) (at most ${MAX_BACKFILL_DAYS} days)`,
        params,
        body: z
          .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), overlap: overlap.optional() })
          .strict(),
        response: { 202: z.object({ schedule_id: z.string(), status: z.literal('backfilling'), from: z.string(), to: z.string(), status_url: z.string() }) },
      },
    },
    async (request, reply) => {
      const { schedule_id: scheduleId } = request.params;
      const start = new Date(request.body.from);
      const end = new Date(request.body.to);
      if (end <= start) throw badRequest('to must be after from', [{ name: 'body.to', reason: 'must be after body.from' }]);
      if (end.getTime() - start.getTime() > MAX_BACKFILL_DAYS * 86_400_000) {
        throw badRequest(`a backfill spans at most ${MAX_BACKFILL_DAYS} days`, [{ name: 'body.to', reason: `at most ${MAX_BACKFILL_DAYS} days after body.from` }]);
      }
      // BUFFER_ALL by default: every missed time runs, one after another, instead of being skipped as overlapping.
      await onSchedule(scheduleId, () => schedules().getHandle(scheduleId).backfill({ start, end, overlap: request.body.overlap ?? 'BUFFER_ALL' }));
      request.log.info({ scheduleId, from: start.toISOString(), to: end.toISOString() }, 'schedule backfill requested');
      return reply.code(202).send({ schedule_id: scheduleId, status: 'backfilling', from: start.toISOString(), to: end.toISOString(), status_url: `/v1/schedules/${scheduleId}` });
    },
  );
}
