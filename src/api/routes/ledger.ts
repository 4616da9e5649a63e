/**
 * The ledger (lançamentos) API: `POST /v1/lancamentos` and `/v1/lancamentos/batch` accept entries into the
 * shard buffers (202 once durably in Temporal), `GET /v1/lancamentos/{request_id}` says pending or persisted,
 * `GET /v1/lancamentos/shards` shows each shard's buffer. See docs/ledger.md.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ledgerStatsQuery } from '../../domain/ledger/buffer';
import { ledgerBatchSchema, ledgerEntrySchema } from '../../domain/ledger/entry';
import { bufferWorkflowId, shardOf } from '../../domain/ledger/shard';
import { anyone, readers, writers } from '../../domain/roles';
import { assertAccountsOpen } from '../alerts/account-blocks';
import type { ApiDeps } from '../deps';
import { entryStatus } from '../ledger/entry-status';
import { closeLedgerIntake, ledgerIntakeFor, type IntakeResult } from '../ledger/intake';
import { prepareEntry } from '../ledger/prepare';
import { conflict, notFound, serviceUnavailable } from '../problem';
import '../route-config';

const statusUrl = (requestId: string) => `/v1/lancamentos/${requestId}`;

const acceptedSchema = z.object({ request_id: z.uuid(), status: z.literal('accepted'), status_url: z.string() });

const batchResultSchema = z.object({
  request_id: z.uuid(),
  status: z.enum(['accepted', 'conflict', 'unavailable']),
  detail: z.string().optional(),
});

const batchResponseSchema = z.object({
  accepted: z.number().int(),
  conflicts: z.number().int(),
  unavailable: z.number().int(),
  results: z.array(batchResultSchema),
});

const persistedEntrySchema = z.object({
  request_id: z.string(),
  account_id: z.string(),
  amount: z.string(),
  direction: z.string(),
  data_ref: z.string(),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  shard: z.number().int(),
  batch_id: z.string(),
  accepted_at: z.string(),
  persisted_at: z.string(),
});

const statusSchema = z.object({
  request_id: z.uuid(),
  status: z.enum(['pending', 'persisted']),
  shard: z.number().int(),
  entry: persistedEntrySchema.optional(),
});

const shardsSchema = z.object({
  shards: z.array(
    z.object({
      shard: z.number().int(),
      workflow_id: z.string(),
      running: z.boolean(),
      backlog_estimate: z.number().int(),
      stats: z.unknown().optional(),
    }),
  ),
});

export async function ledgerRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { config } = deps;
  const intake = ledgerIntakeFor(deps);
  app.addHook('onClose', async () => closeLedgerIntake(deps));

  const accept = (body: z.infer<typeof ledgerEntrySchema>, now: Date): Promise<IntakeResult> => {
    const entry = prepareEntry(body, now);
    return intake.submit(shardOf(entry.accountId, config.LEDGER_SHARDS), entry);
  };

  api.post(
    '/v1/lancamentos',
    {
      // Not metered by the per-principal quota: intake has its own backpressure (503 + Retry-After per shard).
      config: { roles: writers, quotaExempt: true },
      schema: {
        tags: ['ledger'],
        summary: 'Register one ledger entry (202 once it is durably buffered; idempotent by request_id)',
        body: ledgerEntrySchema,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      const requestId = request.body.request_id.toLowerCase();
      await assertAccountsOpen(deps, [request.body.account_id]);
      const result = await accept(request.body, new Date());
      if (result.status === 'conflict') {
        throw conflict(`request_id ${requestId} was already used with different content`, { request_id_conflict: requestId });
      }
      if (result.status === 'unavailable') throw serviceUnavailable(`entry not accepted: ${result.reason}; retry later`, result.retryAfterSeconds);
      return reply.code(202).send({ request_id: requestId, status: 'accepted', status_url: statusUrl(requestId) });
    },
  );

  api.post(
    '/v1/lancamentos/batch',
    {
      // Not metered by the per-principal quota: intake has its own backpressure (503 + Retry-After per shard).
      config: { roles: writers, quotaExempt: true },
      schema: {
        tags: ['ledger'],
        summary: `Register up to ${config.LEDGER_BATCH_MAX_ENTRIES} entries; per-entry results (202 when all were accepted)`,
        body: ledgerBatchSchema(config.LEDGER_BATCH_MAX_ENTRIES),
        response: { 200: batchResponseSchema, 202: batchResponseSchema },
      },
    },
    async (request, reply) => {
      await assertAccountsOpen(deps, request.body.entries.map((entry) => entry.account_id));
      const now = new Date();
      const outcomes = await Promise.all(request.body.entries.map((entry) => accept(entry, now)));
      let retryAfter = 0;
      const results = outcomes.map((outcome, index) => {
        const requestId = request.body.entries[index]!.request_id.toLowerCase();
        if (outcome.status === 'conflict') return { request_id: requestId, status: outcome.status, detail: 'request_id already used with different content' };
        if (outcome.status === 'unavailable') {
          retryAfter = Math.max(retryAfter, outcome.retryAfterSeconds);
          return { request_id: requestId, status: outcome.status, detail: outcome.reason };
        }
        return { request_id: requestId, status: outcome.status };
      });
      const count = (status: string) => results.filter((result) => result.status === status).length;
      const body = { accepted: count('accepted'), conflicts: count('conflict'), unavailable: count('unavailable'), results };
      if (retryAfter > 0) reply.header('retry-after', String(retryAfter));
      return reply.code(body.accepted === results.length ? 202 : 200).send(body);
    },
  );

  api.get(
    '/v1/lancamentos/shards',
    {
      config: { roles: readers },
      schema: { tags: ['ledger'], summary: 'Each shard buffer: backlog estimate and live stats', response: { 200: shardsSchema } },
    },
    async () => {
      const estimates = intake.backlog.snapshot();
      const shards = await Promise.all(
        estimates.map(async ({ shard, backlog }) => {
          const workflowId = bufferWorkflowId(config.LEDGER_BUFFER_ID_PREFIX, shard);
          try {
            const stats = await deps.temporal.connection.withDeadline(Date.now() + config.LEDGER_SIGNAL_TIMEOUT_MS, () =>
              deps.temporal.workflow.getHandle(workflowId).query(ledgerStatsQuery),
            );
            return { shard, workflow_id: workflowId, running: true, backlog_estimate: backlog, stats };
          } catch (error) {
            if (error instanceof WorkflowNotFoundError) return { shard, workflow_id: workflowId, running: false, backlog_estimate: backlog };
            throw serviceUnavailable(`shard ${shard} did not answer: ${(error as Error).message}`, 2);
          }
        }),
      );
      return { shards };
    },
  );

  api.get(
    '/v1/lancamentos/:request_id',
    {
      config: { roles: anyone },
      schema: {
        tags: ['ledger'],
        summary: 'Whether an entry is still buffered (pending) or in PostgreSQL (persisted, with its row)',
        params: z.object({ request_id: z.uuid() }),
        response: { 200: statusSchema },
      },
    },
    async (request) => {
      const requestId = request.params.request_id.toLowerCase();
      const state = await entryStatus({ pool: deps.stores.postgres.pool(), temporal: deps.temporal, config }, requestId);
      if (state.status === 'unknown') throw notFound(`no accepted ledger entry with request_id ${requestId}`);
      if (state.status === 'unavailable') throw serviceUnavailable('the shard holding this request did not answer; retry later', 2);
      if (state.status === 'pending') return { request_id: requestId, status: 'pending' as const, shard: state.shard };
      return { request_id: requestId, status: 'persisted' as const, shard: state.entry.shard, entry: state.entry };
    },
  );
}
