/**
 * The reports API (seed path `/internal/reports/start`; see docs/consolidation.md):
 *
 *   POST /internal/reports/start        consolidate a day: 202 + workflow id, idempotent per data_ref;
 *                                        `rerun: true` starts a new run of a day whose last run has ended
 *   POST /internal/reports/backfill     consolidate a range of days, in order (one parent workflow)
 *   GET  /v1/reports/runs/{data_ref}    the day's runs (reports_runs) and the live step while one runs
 *   GET  /v1/reports/balances           balances of a day: one account's (?account_id=) or a page of all
 *   GET  /v1/reports/days/{data_ref}    the day's totals and top accounts by volume
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  backfillAccepted,
  backfillBody,
  balancesQuery,
  balancesResponse,
  dataRefSchema,
  runsResponse,
  startAccepted,
  startConsolidationBody,
} from '../../domain/consolidation/api';
import { daysBetween } from '../../domain/consolidation/dates';
import {
  CONSOLIDATION_BACKFILL_WORKFLOW,
  CONSOLIDATION_WORKFLOW,
  consolidationBackfillWorkflowId,
  consolidationProgressQuery,
  consolidationWorkflowId,
  type BackfillInput,
  type ConsolidationInput,
} from '../../domain/consolidation/run';
import type { RequestContext } from '../../domain/request-context';
import { readers, writers } from '../../domain/roles';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { taskQueues } from '../../domain/task-queues';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { accountBalance, dayBalances, dayReport, runsOfDay } from '../reports/read-models';
import { requestContext } from '../request-context';
import '../route-config';
import { startIdempotent } from '../workflow-start';

const TAGS = ['reports'];

interface StartRequest {
  workflow: string;
  workflowId: string;
  args: [ConsolidationInput] | [BackfillInput];
  context: RequestContext;
  summary: string;
  dataRef: string;
  rerun: boolean;
}

/**
 * Idempotent start: without `rerun`, the id's existing run (running or ended) is the answer; with it, a new
 * run starts once the last has ended, and a running one is still the answer (never two at once).
 */
async function start(client: Client, request: StartRequest): Promise<{ runId: string; started: boolean }> {
  const searchAttributes: SearchAttributePair[] = [{ key: searchAttributeKeys.DataRef, value: request.dataRef }];
  if (!request.rerun) {
    const { handle, started } = await startIdempotent(client, {
      workflow: request.workflow,
      workflowId: request.workflowId,
      taskQueue: taskQueues.reports,
      args: request.args,
      context: request.context,
      summary: request.summary,
      searchAttributes,
    });
    return { runId: (await handle.describe()).runId, started };
  }
  const current = await client.workflow
    .getHandle(request.workflowId)
    .describe()
    .catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    });
  if (current?.status.name === 'RUNNING') return { runId: current.runId, started: false };
  const handle = await client.workflow.start(request.workflow, {
    workflowId: request.workflowId,
    taskQueue: taskQueues.reports,
    args: request.args,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    // Two rerun requests racing: the second gets the first's run rather than an error or a second run.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    memo: { request_id: request.context.requestId, principal: request.context.principal },
    typedSearchAttributes: [
      { key: searchAttributeKeys.RequestId, value: request.context.requestId },
      { key: searchAttributeKeys.Principal, value: request.context.principal },
      ...searchAttributes,
    ],
    staticSummary: request.summary,
  });
  return { runId: handle.firstExecutionRunId, started: handle.firstExecutionRunId !== current?.runId };
}

const dayParams = z.object({ data_ref: dataRefSchema });

const dayReportResponse = z.object({
  data_ref: z.string(),
  accounts: z.number(),
  entry_count: z.number(),
  credits: z.string(),
  debits: z.string(),
  net: z.string(),
  top_accounts: z.array(
    z.object({ rank: z.number(), account_id: z.string(), volume: z.string(), credits: z.string(), debits: z.string(), entry_count: z.number() }),
  ),
});

export async function reportRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const postgres = deps.stores.postgres;

  api.post(
    '/internal/reports/start',
    {
      config: { roles: writers },
      schema: {
        tags: TAGS,
        summary: 'Consolidate a day (consolidacao_diaria): balances, reports_* views, Parquet, reconciliation',
        body: startConsolidationBody,
        response: { 202: startAccepted },
      },
    },
    async (request, reply) => {
      const { data_ref: dataRef, rerun } = request.body;
      const context = requestContext(request);
      const workflowId = consolidationWorkflowId(dataRef);
      const input: ConsolidationInput = { dataRef, requestedBy: context.principal, requestId: context.requestId };
      const run = await start(deps.temporal, {
        workflow: CONSOLIDATION_WORKFLOW,
        workflowId,
        args: [input],
        context,
        summary: `Daily consolidation of ${dataRef}${rerun ? ' (re-run)' : ''}`,
        dataRef,
        rerun,
      });
      return reply.code(202).send({
        data_ref: dataRef,
        workflow_id: workflowId,
        run_id: run.runId,
        started: run.started,
        status: 'accepted',
        status_url: `/v1/reports/runs/${dataRef}`,
      });
    },
  );

  api.post(
    '/internal/reports/backfill',
    {
      config: { roles: writers },
      schema: {
        tags: TAGS,
        summary: 'Consolidate every day of a range, in order (closing balances carry forward)',
        body: backfillBody(deps.config.CONSOLIDATION_BACKFILL_MAX_DAYS),
        response: { 202: backfillAccepted },
      },
    },
    async (request, reply) => {
      const { from, to } = request.body;
      const context = requestContext(request);
      const workflowId = consolidationBackfillWorkflowId(from, to);
      const input: BackfillInput = { from, to, requestedBy: context.principal, requestId: context.requestId };
      const run = await start(deps.temporal, {
        workflow: CONSOLIDATION_BACKFILL_WORKFLOW,
        workflowId,
        args: [input],
        context,
        summary: `Consolidation backfill ${from}..${to}`,
        dataRef: `${from}..${to}`,
        // A finished backfill asked again runs again: that is what asking for a backfill means.
        rerun: true,
      });
      return reply.code(202).send({ from, to, days: daysBetween(from, to) + 1, workflow_id: workflowId, started: run.started, status: 'accepted' });
    },
  );

  api.get(
    '/v1/reports/runs/:data_ref',
    {
      config: { roles: readers },
      schema: { tags: TAGS, summary: "A day's consolidation runs, newest first, with the live step", params: dayParams, response: { 200: runsResponse } },
    },
    async (request) => {
      const dataRef = request.params.data_ref;
      const workflowId = consolidationWorkflowId(dataRef);
      const handle = deps.temporal.workflow.getHandle(workflowId);
      const description = await handle.describe().catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
      const runs = await runsOfDay(postgres, dataRef);
      if (!description && runs.length === 0) throw notFound(`no consolidation of ${dataRef}`);
      let progress: z.infer<typeof runsResponse>['progress'] = null;
      if (description?.status.name === 'RUNNING') {
        const live = await handle.query(consolidationProgressQuery).catch(() => undefined);
        if (live) progress = { step: live.step, partitions: live.partitions, partitions_done: live.partitionsDone };
      }
      return {
        data_ref: dataRef,
        workflow_id: workflowId,
        workflow_status: description?.status.name ?? null,
        progress,
        runs: runs.map((run) => ({
          run_id: run.run_id,
          status: run.status,
          requested_by: run.requested_by,
          partitions: run.partitions,
          started_at: run.started_at.toISOString(),
          finished_at: run.finished_at?.toISOString() ?? null,
          steps: run.steps,
          counts: run.counts,
          manifest_key: run.manifest_key,
          error: run.error,
        })),
      };
    },
  );

  api.get(
    '/v1/reports/balances',
    {
      config: { roles: readers },
      schema: {
        tags: TAGS,
        summary: "Consolidated balances of a day (reports_daily_balances): one account's, or a page of the day's accounts",
        querystring: balancesQuery,
        response: { 200: balancesResponse },
      },
    },
    async (request) => {
      const { data_ref: dataRef, account_id: accountId, limit, after } = request.query;
      if (accountId) {
        const balance = await accountBalance(postgres, accountId, dataRef);
        if (!balance) throw notFound(`no consolidated balance of account ${accountId} on or before ${dataRef}`);
        return { data_ref: dataRef, balances: [balance], next_after: null };
      }
      const page = await dayBalances(postgres, dataRef, { limit, after });
      return { data_ref: dataRef, balances: page.balances, next_after: page.nextAfter };
    },
  );

  api.get(
    '/v1/reports/days/:data_ref',
    {
      config: { roles: readers },
      schema: {
        tags: TAGS,
        summary: "A day's totals (reports_daily_totals) and top accounts by volume (reports_top_accounts)",
        params: dayParams,
        querystring: z.object({ top: z.coerce.number().int().min(1).max(100).default(10) }).strict(),
        response: { 200: dayReportResponse },
      },
    },
    async (request) => {
      const report = await dayReport(postgres, request.params.data_ref, request.query.top);
      if (!report) throw notFound(`${request.params.data_ref} has not been consolidated (or has no entries)`);
      return report;
    },
  );
}
