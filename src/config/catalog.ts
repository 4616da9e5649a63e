/**
 * Catalog publishing (issue 6): see docs/catalog.md. Read by the catalog activities and the API.
 */
import { z } from 'zod';
import { bool, positiveInt } from './fields';

export const catalogSettings = {
  /** An import is rejected as a whole when invalid rows / data rows is above this fraction. */
  CATALOG_IMPORT_ERROR_THRESHOLD: z.coerce.number().min(0).max(1).default(0.01),
  /** Verification fails when items missing, extra or different (snapshot vs database) / items is above this. */
  CATALOG_DIVERGENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.001),
  /** Validated rows per staging insert during an import. */
  CATALOG_IMPORT_BATCH_SIZE: positiveInt.max(20_000).default(5000),
  /** Issues kept in an import's report (all of them are counted). */
  CATALOG_IMPORT_MAX_ISSUES: positiveInt.default(10_000),
  /** Largest CSV body POST /v1/catalogo/sync accepts. */
  CATALOG_UPLOAD_MAX_BYTES: positiveInt.default(1024 ** 3),
  /** Write CatalogoPublicado to catalog_outbox in the publish transaction and relay it to Kafka. */
  CATALOG_EVENTS_ENABLED: bool.default(true),
};
