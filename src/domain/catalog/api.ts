/** The catalog API's wire shapes (snake_case), validated by zod and published in the OpenAPI document. */
import { z } from 'zod';
import { CATALOG_ID_PATTERN, DEFAULT_CATALOG_ID } from './publish';
import { SKU_PATTERN } from './rows';

export const catalogQuerySchema = z
  .object({
    catalog_id: z.string().regex(CATALOG_ID_PATTERN, 'lower-case letters, digits and "-", at most 40').default(DEFAULT_CATALOG_ID),
  })
  .strict();

/** JSON body of POST /v1/catalogo/sync (a CSV upload sends the file itself as text/csv instead). */
export const syncJsonBodySchema = z
  .object({
    source_uri: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('A CSV already in fluxo\'s object storage: gs://<bucket>/<key> (gcs) or file://…/objects/<key> (local)'),
  })
  .strict();

export const syncAcceptedSchema = z.object({
  catalog_id: z.string(),
  workflow_id: z.string(),
  run_id: z.string(),
  status: z.enum(['accepted', 'already_running']),
  /** The import this run does (null: publish without import). For already_running, the running run's. */
  import_id: z.uuid().nullable(),
  status_url: z.string(),
});

export const importSummarySchema = z.object({
  import_id: z.uuid(),
  catalog_id: z.string(),
  status: z.string(),
  source_key: z.string(),
  bytes_read: z.number().int(),
  rows_total: z.number().int(),
  rows_valid: z.number().int(),
  rows_invalid: z.number().int(),
  duplicates: z.number().int(),
  rows_upserted: z.number().int().nullable(),
  error_rate: z.number(),
  error_threshold: z.number(),
  issues_total: z.number().int(),
  rejection_reason: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});

export const importIssueSchema = z.object({
  row: z.number().int(),
  line: z.number().int(),
  column: z.string(),
  reason: z.string(),
  severity: z.enum(['error', 'warning']),
});

export const importErrorsSchema = z.object({
  import: importSummarySchema,
  issues: z.array(importIssueSchema),
  /** Offset of the next page, null at the end. The report holds at most CATALOG_IMPORT_MAX_ISSUES issues. */
  next_offset: z.number().int().nullable(),
});

export const importErrorsQuerySchema = z
  .object({
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    format: z.enum(['json', 'csv']).default('json').describe('csv: the whole report as a downloadable file'),
  })
  .strict();

export const versionSchema = z.object({
  catalog_id: z.string(),
  version: z.number().int(),
  status: z.enum(['draft', 'published', 'failed', 'superseded']),
  item_count: z.number().int().nullable(),
  sha256: z.string().nullable(),
  size_bytes: z.number().int().nullable(),
  snapshot_uri: z.string().nullable(),
  import_id: z.string().nullable(),
  workflow_id: z.string(),
  run_id: z.string(),
  previous_version: z.number().int().nullable(),
  failure_reason: z.string().nullable(),
  created_at: z.string(),
  published_at: z.string().nullable(),
  superseded_at: z.string().nullable(),
  failed_at: z.string().nullable(),
});

export const versionsQuerySchema = catalogQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional().describe('Only versions below this one (paging, newest first)'),
});

export const versionsSchema = z.object({ versions: z.array(versionSchema), next_before: z.number().int().nullable() });

export const currentSchema = z.object({
  catalog_id: z.string(),
  version: z.number().int(),
  sha256: z.string(),
  item_count: z.number().int(),
  size_bytes: z.number().int(),
  published_at: z.string(),
  /** Signed, expiring read URL of the snapshot (gzip NDJSON): fluxo's own (local) or GCS v4. */
  url: z.string(),
  manifest_url: z.string(),
  url_expires_at: z.string(),
});

export const itemSchema = z.object({
  catalog_id: z.string(),
  sku: z.string(),
  name: z.string(),
  price: z.string().describe('Decimal with 2 places, as text'),
  category: z.string(),
  active: z.boolean(),
  attributes: z.record(z.string(), z.unknown()),
  updated_at: z.string(),
});

export const skuParamsSchema = z.object({ sku: z.string().regex(SKU_PATTERN, 'not a valid sku') });

export const syncStatusSchema = z.object({
  workflow_id: z.string(),
  run_id: z.string(),
  workflow_status: z.string(),
  progress: z.unknown().nullable(),
  result: z.unknown().nullable(),
  failure: z.string().nullable(),
});
