/**
 * The catalog API (seed path `/v1/catalogo/...`; see docs/catalog.md):
 *
 *   POST /v1/catalogo/sync                      publish, optionally importing a CSV first (202 + workflow id)
 *   GET  /v1/catalogo/sync/{run_id}             a publish run's state, step and outcome
 *   GET  /v1/catalogo/versions                  versions, newest first
 *   GET  /v1/catalogo/current                   the published version with signed URLs
 *   GET  /v1/catalogo/items/{sku}               one item
 *   GET  /v1/catalogo/imports/{import_id}/errors an import's report (JSON pages, or ?format=csv)
 *
 * Every route takes `?catalog_id=` (default `default`). One publish at a time per catalog: a sync request
 * while one runs is answered with the running one (`status: already_running`) and its CSV is not taken.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  catalogQuerySchema,
  currentSchema,
  importErrorsQuerySchema,
  importErrorsSchema,
  itemSchema,
  skuParamsSchema,
  syncAcceptedSchema,
  syncJsonBodySchema,
  syncStatusSchema,
  versionsQuerySchema,
  versionsSchema,
} from '../../domain/catalog/api';
import { catalogProgressQuery, catalogPublishWorkflowId, type CatalogPublishInput } from '../../domain/catalog/publish';
import { catalogKeys, CSV_CONTENT_TYPE } from '../../domain/catalog/storage-layout';
import { anyone, writers } from '../../domain/roles';
import { validateKey, type ObjectStorage } from '../../stores/object-storage';
import { acceptCsvStreams, csvUpload, isCsvStream, limitedUpload } from '../catalog/csv-body';
import { currentVersion, findImport, findItem, importIssues, importIssuesCsv, listVersions } from '../catalog/read-models';
import { runningPublish, startPublish, type PublishRun } from '../catalog/start-publish';
import type { ApiDeps } from '../deps';
import { servedUrl } from './storage';
import { badRequest, notFound, ProblemError } from '../problem';
import { requestContext } from '../request-context';
import '../route-config';

const TAGS = ['catalog'];

/** A storage URI (`storage.uri(key)` of this backend) back to its key; undefined when it is not one. */
export function keyOfUri(storage: ObjectStorage, uri: string): string | undefined {
  const prefix = storage.uri('x').slice(0, -1);
  if (!uri.startsWith(prefix) || uri.length === prefix.length) return undefined;
  const rest = uri.slice(prefix.length);
  try {
    const key = storage.backend === 'local' ? rest.split('/').map(decodeURIComponent).join('/') : rest;
    return validateKey(key);
  } catch {
    return undefined;
  }
}

/** The URL of a signed path: absolute when API_PUBLIC_URL is set (local backend URLs are relative to the API). */
const absolute = (url: string, publicUrl: string | undefined) => (publicUrl && url.startsWith('/') ? new URL(url, publicUrl).toString() : url);

export async function catalogRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  acceptCsvStreams(app);
  const api = app.withTypeProvider<ZodTypeProvider>();
  const storage = deps.stores.objectStorage;
  const pool = () => deps.stores.postgres.pool();

  const accepted = (catalogId: string, run: PublishRun) => ({
    catalog_id: catalogId,
    workflow_id: run.workflowId,
    run_id: run.runId,
    status: run.started ? ('accepted' as const) : ('already_running' as const),
    import_id: run.importId,
    status_url: `/v1/catalogo/sync/${run.runId}?catalog_id=${catalogId}`,
  });

  /** The CSV source of this request: uploaded now, named by source_uri, or none (publish only). */
  async function importSource(request: FastifyRequest, catalogId: string, importId: string): Promise<string | undefined> {
    const body = request.body;
    let upload: ReturnType<typeof csvUpload>;
    try {
      upload = csvUpload(request);
    } catch (error) {
      if (isCsvStream(body)) body.resume();
      throw error;
    }
    if (upload) {
      const key = catalogKeys.importSource(catalogId, importId);
      try {
        await storage.put(key, limitedUpload(upload, deps.config.CATALOG_UPLOAD_MAX_BYTES), { contentType: CSV_CONTENT_TYPE });
      } catch (error) {
        // The storage wraps stream errors; the size limit's 413 and a malformed form's 400 are the caller's
        // problem, not a server fault. The rest of the body is drained so the answer reaches the caller.
        const cause = error instanceof ProblemError ? error : (error as { cause?: unknown }).cause;
        if (cause instanceof ProblemError) {
          if (upload !== body) upload.destroy();
          if (isCsvStream(body)) body.resume();
          throw cause;
        }
        throw error;
      }
      return key;
    }
    if (body === undefined || body === null || body === '') return undefined;
    const parsed = syncJsonBodySchema.safeParse(body);
    if (!parsed.success) {
      const params = parsed.error.issues.map((issue) =>
        issue.code === 'unrecognized_keys'
          ? { name: `body.${issue.keys.join(',')}`, reason: 'unknown field' }
          : { name: ['body', ...issue.path.map(String)].join('.'), reason: issue.message },
      );
      throw badRequest(`invalid ${params.map((param) => `${param.name} (${param.reason})`).join('; ')}`, params);
    }
    const uri = parsed.data.source_uri;
    if (uri === undefined) return undefined;
    const key = keyOfUri(storage, uri);
    const example = storage.uri('catalog/my.csv');
    if (!key) throw badRequest(`body.source_uri must name an object in fluxo's ${storage.backend} storage, like ${example}`, [{ name: 'body.source_uri', reason: `not a ${storage.backend} storage URI like ${example}` }]);
    if (!(await storage.head(key))) throw badRequest(`body.source_uri: there is no object ${uri}`, [{ name: 'body.source_uri', reason: 'no such object' }]);
    return key;
  }

  api.post(
    '/v1/catalogo/sync',
    {
      config: { roles: writers },
      schema: {
        tags: TAGS,
        summary: 'Publish the catalog, optionally importing a CSV first',
        description:
          'Body: the CSV itself (`Content-Type: text/csv`) or a form with one field `file` (`multipart/form-data`), streamed to ' +
          'storage; or JSON `{"source_uri": "gs://…"}` naming a CSV ' +
          'already in storage, or nothing (publish the catalog as it is). 202 with the publish workflow; while a publish runs, ' +
          'the answer names the running one (`status: already_running`) and the request\'s CSV is not taken.',
        querystring: catalogQuerySchema,
        response: { 202: syncAcceptedSchema },
      },
    },
    async (request, reply) => {
      const catalogId = request.query.catalog_id;
      const running = await runningPublish(deps.temporal, catalogId);
      if (running) {
        // Not reading an upload we will not use; drain it so the connection stays usable.
        if (isCsvStream(request.body)) request.body.resume();
        return reply.code(202).send(accepted(catalogId, running));
      }
      const importId = randomUUID();
      const sourceKey = await importSource(request, catalogId, importId);
      const context = requestContext(request);
      const input: CatalogPublishInput = {
        catalogId,
        requestedBy: context.principal,
        requestId: context.requestId,
        ...(sourceKey ? { import: { importId, sourceKey } } : {}),
      };
      const run = await startPublish(deps.temporal, input);
      if (!run.started && sourceKey && isCsvStream(request.body)) {
        // Another request started a publish while this one uploaded: its CSV is not used, so not kept.
        await storage.delete(sourceKey).catch(() => undefined);
      }
      return reply.code(202).send(accepted(catalogId, run));
    },
  );

  api.get(
    '/v1/catalogo/sync/:run_id',
    {
      config: { roles: anyone },
      schema: {
        tags: TAGS,
        summary: 'A publish run: workflow status, current step, result or failure',
        params: z.object({ run_id: z.uuid() }),
        querystring: catalogQuerySchema,
        response: { 200: syncStatusSchema },
      },
    },
    async (request) => {
      const workflowId = catalogPublishWorkflowId(request.query.catalog_id);
      const handle = deps.temporal.workflow.getHandle(workflowId, request.params.run_id);
      let status: string;
      try {
        status = (await handle.describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw notFound(`no publish run ${request.params.run_id} of catalog ${request.query.catalog_id}`);
        throw error;
      }
      const progress = await handle.query(catalogProgressQuery).catch(() => null);
      let result: unknown = null;
      let failure: string | null = null;
      if (status === 'COMPLETED') result = await handle.result();
      else if (status !== 'RUNNING') failure = await handle.result().then(() => null, (error: Error) => innermost(error));
      return { workflow_id: workflowId, run_id: request.params.run_id, workflow_status: status, progress, result, failure };
    },
  );

  api.get(
    '/v1/catalogo/versions',
    { config: { roles: anyone }, schema: { tags: TAGS, summary: 'Catalog versions, newest first', querystring: versionsQuerySchema, response: { 200: versionsSchema } } },
    async (request) => listVersions(pool(), request.query.catalog_id, request.query.limit, request.query.before),
  );

  api.get(
    '/v1/catalogo/current',
    {
      config: { roles: anyone },
      schema: {
        tags: TAGS,
        summary: 'The published version, with signed URLs of its snapshot and manifest (24 h by default)',
        querystring: catalogQuerySchema,
        response: { 200: currentSchema },
      },
    },
    async (request) => {
      const row = await currentVersion(pool(), request.query.catalog_id);
      if (!row) throw notFound(`catalog ${request.query.catalog_id} has no published version yet`);
      const snapshot = await storage.signedUrl(row.snapshot_key!);
      const manifest = await storage.signedUrl(row.manifest_key!);
      return {
        catalog_id: row.catalog_id,
        version: row.version,
        sha256: row.sha256!,
        item_count: row.item_count!,
        size_bytes: Number(row.size_bytes),
        published_at: row.published_at!.toISOString(),
        url: absolute(servedUrl(snapshot.url), deps.config.API_PUBLIC_URL),
        manifest_url: absolute(servedUrl(manifest.url), deps.config.API_PUBLIC_URL),
        url_expires_at: snapshot.expiresAt.toISOString(),
      };
    },
  );

  api.get(
    '/v1/catalogo/items/:sku',
    {
      config: { roles: anyone },
      schema: { tags: TAGS, summary: 'One catalog item', params: skuParamsSchema, querystring: catalogQuerySchema, response: { 200: itemSchema } },
    },
    async (request) => {
      const item = await findItem(pool(), request.query.catalog_id, request.params.sku);
      if (!item) throw notFound(`catalog ${request.query.catalog_id} has no item ${request.params.sku}`);
      return item;
    },
  );

  api.get(
    '/v1/catalogo/imports/:import_id/errors',
    {
      config: { roles: anyone },
      schema: {
        tags: TAGS,
        summary: "An import's report: its counts and every problem (row, column, reason), in pages or as a CSV file",
        params: z.object({ import_id: z.uuid() }),
        querystring: importErrorsQuerySchema,
        response: { 200: importErrorsSchema },
      },
    },
    async (request, reply) => {
      const summary = await findImport(pool(), request.params.import_id);
      if (!summary) throw notFound(`no import ${request.params.import_id}`);
      if (request.query.format === 'csv') {
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="import-${summary.import_id}-errors.csv"`);
        // A stream is not serialised against the JSON response schema; the type system does not know that.
        return reply.send(Readable.from(importIssuesCsv(pool(), summary.import_id)) as never);
      }
      const { offset, limit } = request.query;
      const issues = await importIssues(pool(), summary.import_id, offset, limit + 1);
      return { import: summary, issues: issues.slice(0, limit), next_offset: issues.length > limit ? offset + limit : null };
    },
  );
}

function innermost(error: Error): string {
  let current = error as { message?: string; cause?: unknown };
  while (current.cause) current = current.cause as typeof current;
  return current.message ?? String(error);
}
