/**
 * Insights over HTTP. Writes answer 202 and hand a change to the insight's workflow (`insight-<id>`, by
 * signal-with-start); reads come from the stores: the document and lists from MongoDB, related insights from
 * Neo4j, digests from MongoDB.
 *
 *   POST   /v1/insights                  create (optional `id` = idempotency key)
 *   GET    /v1/insights/{id}             the document and its processing state
 *   PUT    /v1/insights/{id}             replace title, content, tags, source (Idempotency-Key header optional)
 *   DELETE /v1/insights/{id}             remove document, node and edges
 *   GET    /v1/insights/{id}/related     top related insights (?limit=)
 *   GET    /v1/users/{id}/insights       a user's insights, newest first (?limit=&cursor=)
 *   GET    /v1/tags/{tag}/insights       insights with a tag, newest first (?limit=&cursor=)
 *   GET    /v1/users/{id}/digest         the user's latest weekly digest
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  acceptedSchema,
  createInsightSchema,
  digestViewSchema,
  insightIdParams,
  insightPageSchema,
  insightViewSchema,
  normalizeTag,
  normalizeTags,
  pageQuery,
  relatedQuery,
  relatedViewSchema,
  tagParams,
  updateInsightSchema,
  userIdParams,
  type InsightView,
} from '../../domain/insights/insight';
import type { PageCursor } from '../../domain/insights/page-cursor';
import type { InsightDocument } from '../../domain/insights/store-layout';
import {
  INSIGHT_WORKFLOW_TYPE,
  insightSignalWithStart,
  insightWorkflowId,
  type InsightChange,
  type InsightContent,
} from '../../domain/insights/workflow';
import { readers, writers } from '../../domain/roles';
import { createInsightReadModel, type InsightSummaryDoc } from '../insights/read-model';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, notFound } from '../problem';
import { requestContext } from '../request-context';
import '../route-config';

const TAGS = ['insights'];
const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;
const statusUrl = (id: string) => `/v1/insights/${id}`;

function toView(doc: InsightDocument): InsightView {
  return {
    id: doc._id,
    status: doc.status,
    workflow_id: doc.workflow_id,
    user_id: doc.user_id,
    title: doc.title,
    content: doc.content,
    tags: doc.tags,
    source: doc.source,
    revision: doc.revision,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
    processed_at: doc.processed_at ? doc.processed_at.toISOString() : null,
    // `?? []`: documents written by an upsert on FerretDB lose their empty arrays (docs/insights.md).
    keywords: doc.keywords ?? [],
    entities: doc.entities ?? [],
    related_ids: (doc.related ?? []).map(({ id }) => id),
    failure: doc.failure ? { step: doc.failure.step, reason: doc.failure.reason, at: doc.failure.at.toISOString() } : null,
  };
}

const toSummary = (doc: InsightSummaryDoc) => ({
  id: doc._id,
  user_id: doc.user_id,
  title: doc.title,
  tags: doc.tags ?? [],
  status: doc.status,
  created_at: doc.created_at.toISOString(),
  updated_at: doc.updated_at.toISOString(),
  keywords: (doc.keywords ?? []).slice(0, 5).map(({ term }) => term),
});

export async function insightRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const readModel = createInsightReadModel(deps.stores, deps.config);
  const settings = { graphRetryWindowSeconds: deps.config.INSIGHTS_GRAPH_RETRY_WINDOW_SECONDS };

  async function send(request: FastifyRequest, insightId: string, userId: string, change: Omit<InsightChange, 'context' | 'receivedAt'>, title: string) {
    const context = requestContext(request);
    await deps.temporal.workflow.signalWithStart(
      INSIGHT_WORKFLOW_TYPE,
      insightSignalWithStart({
        insightId,
        userId,
        settings,
        change: { ...change, receivedAt: new Date().toISOString(), context },
        summary: `Insight ${insightId}: ${title}`,
      }),
    );
    return { insight_id: insightId, workflow_id: insightWorkflowId(insightId), status: 'accepted' as const, status_url: statusUrl(insightId) };
  }

  function cursorOf(text: string | undefined): PageCursor | null {
    if (text === undefined) return null;
    const cursor = readModel.decodeCursor(text);
    if (!cursor) throw badRequest('cursor is not a next_cursor this API returned', [{ name: 'query.cursor', reason: 'not a valid cursor' }]);
    return cursor;
  }

  api.post(
    '/v1/insights',
    {
      config: { roles: writers },
      schema: { tags: TAGS, summary: 'Create an insight (processed asynchronously)', body: createInsightSchema, response: { 202: acceptedSchema } },
    },
    async (request, reply) => {
      const body = request.body;
      const insightId = body.id ?? randomUUID();
      if (body.id) {
        const owner = await readModel.owner(insightId);
        if (owner !== null && owner !== body.user_id) throw conflict(`insight ${insightId} exists and belongs to another user`);
        // A repeated request: same answer, nothing started.
        if (owner !== null) return reply.code(202).send({ insight_id: insightId, workflow_id: insightWorkflowId(insightId), status: 'accepted', status_url: statusUrl(insightId) });
      }
      const content: InsightContent = { title: body.title, content: body.content, tags: normalizeTags(body.tags), source: body.source };
      return reply.code(202).send(await send(request, insightId, body.user_id, { changeId: `create:${insightId}`, kind: 'create', content }, body.title));
    },
  );

  api.get(
    '/v1/insights/:id',
    {
      config: { roles: readers },
      schema: { tags: TAGS, summary: 'An insight, its keywords, entities, related ids and processing state', params: insightIdParams, response: { 200: insightViewSchema } },
    },
    async (request) => {
      const { id } = request.params;
      const doc = await readModel.get(id);
      if (doc) return toView(doc);
      // Accepted but not saved yet: the workflow is the only trace so far.
      try {
        const description = await deps.temporal.workflow.getHandle(insightWorkflowId(id)).describe();
        if (description.status.name === 'RUNNING') return { id, status: 'accepted' as const, workflow_id: insightWorkflowId(id) };
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
      throw notFound(`no insight ${id}`);
    },
  );

  api.put(
    '/v1/insights/:id',
    {
      config: { roles: writers },
      schema: {
        tags: TAGS,
        summary: 'Replace an insight\'s title, content, tags and source (processed asynchronously)',
        params: insightIdParams,
        headers: z.looseObject({ 'idempotency-key': z.string().regex(IDEMPOTENCY_KEY).optional() }),
        body: updateInsightSchema,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const doc = await readModel.get(id);
      if (!doc || doc.status === 'deleting') throw notFound(`no insight ${id}`);
      const key = request.headers['idempotency-key'];
      const body = request.body;
      const content: InsightContent = { title: body.title, content: body.content, tags: normalizeTags(body.tags), source: body.source };
      return reply.code(202).send(await send(request, id, doc.user_id, { changeId: `update:${key ?? randomUUID()}`, kind: 'update', content }, body.title));
    },
  );

  api.delete(
    '/v1/insights/:id',
    {
      config: { roles: writers },
      schema: { tags: TAGS, summary: 'Delete an insight: document, graph node and edges (asynchronously)', params: insightIdParams, response: { 202: acceptedSchema } },
    },
    async (request, reply) => {
      const { id } = request.params;
      const doc = await readModel.get(id);
      if (!doc) throw notFound(`no insight ${id}`);
      return reply.code(202).send(await send(request, id, doc.user_id, { changeId: `delete:${id}`, kind: 'delete' }, doc.title));
    },
  );

  api.get(
    '/v1/insights/:id/related',
    {
      config: { roles: readers },
      schema: { tags: TAGS, summary: 'Related insights, best first (score in [0, 1]; see docs/insights.md)', params: insightIdParams, querystring: relatedQuery, response: { 200: relatedViewSchema } },
    },
    async (request) => {
      const { id } = request.params;
      // The two stores answer in parallel: the document only says whether the insight exists (and its status),
      // the graph holds the answer, so neither waits for the other.
      const [status, related] = await Promise.all([readModel.status(id), readModel.related(id, request.query.limit)]);
      if (!status || status === 'deleting') throw notFound(`no insight ${id}`);
      return { insight_id: id, status, related };
    },
  );

  api.get(
    '/v1/users/:id/insights',
    {
      config: { roles: readers },
      schema: { tags: TAGS, summary: 'A user\'s insights, newest first', params: userIdParams, querystring: pageQuery, response: { 200: insightPageSchema } },
    },
    async (request) => {
      const { items, nextCursor } = await readModel.byUser(request.params.id, request.query.limit, cursorOf(request.query.cursor));
      return { items: items.map(toSummary), next_cursor: nextCursor };
    },
  );

  api.get(
    '/v1/tags/:tag/insights',
    {
      config: { roles: readers },
      schema: { tags: TAGS, summary: 'Insights with a tag (accents and case ignored), newest first', params: tagParams, querystring: pageQuery, response: { 200: insightPageSchema } },
    },
    async (request) => {
      const { items, nextCursor } = await readModel.byTag(normalizeTag(request.params.tag), request.query.limit, cursorOf(request.query.cursor));
      return { items: items.map(toSummary), next_cursor: nextCursor };
    },
  );

  api.get(
    '/v1/users/:id/digest',
    {
      config: { roles: readers },
      schema: { tags: TAGS, summary: 'The user\'s latest weekly digest', params: userIdParams, response: { 200: digestViewSchema } },
    },
    async (request) => {
      const digest = await readModel.latestDigest(request.params.id);
      if (!digest) throw notFound(`no digest for user ${request.params.id} yet`);
      return {
        user_id: digest.user_id,
        period_start: digest.period_start.toISOString(),
        period_end: digest.period_end.toISOString(),
        generated_at: digest.generated_at.toISOString(),
        insight_count: digest.insight_count,
        top_tags: digest.top_tags ?? [],
        top_keywords: digest.top_keywords ?? [],
        insights: (digest.insights ?? []).map((item) => ({ ...item, created_at: item.created_at.toISOString() })),
      };
    },
  );
}
