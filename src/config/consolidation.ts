/**
 * Daily consolidation (issue 5): see docs/consolidation.md. Read by the reports activities when a run plans.
 */
import { z } from 'zod';
import { positiveInt } from './fields';

export const consolidationSettings = {
  /**
   * Account ranges per day; each is consolidated by one idempotent activity. As many as run at once by default:
   * each range's scan reads most of the day's heap pages (accounts are spread over them), so every extra wave
   * re-reads the day (8 ranges at 3 at a time cost the 1M-entry benchmark ~2 CPU-s more; docs/consolidation.md).
   */
  CONSOLIDATION_PARTITIONS: positiveInt.max(256).default(3),
  /** Partition activities of one run at once (the seed's "concurrency 3"). */
  CONSOLIDATION_CONCURRENCY: positiveInt.max(32).default(3),
  /** Rows per Parquet part file (each part is first a CSV file of PostgreSQL's COPY: ~150 bytes a row on disk while it is). */
  CONSOLIDATION_PARQUET_ROWS_PER_FILE: positiveInt.max(2_000_000).default(250_000),
  /** Object-storage prefix of the data lake. */
  CONSOLIDATION_DATALAKE_PREFIX: z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/).default('datalake'),
  /** Statement timeout of the consolidation's heavy statements (partition upserts, view refreshes, export). */
  CONSOLIDATION_STATEMENT_TIMEOUT_MS: positiveInt.default(15 * 60_000),
  /** The scheduled run also re-runs days of this many days before its own whose entries changed since their run. */
  CONSOLIDATION_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  /** Most days one backfill request covers. */
  CONSOLIDATION_BACKFILL_MAX_DAYS: positiveInt.max(3660).default(366),
};
