/**
 * The apply step: upserts an accepted import's staged rows into catalog_items, in one transaction, saving the
 * items it changes to catalog_import_backup so the compensation can put everything back. Every item it
 * inserts or changes gets the transaction's time as updated_at, recorded as the import's applied_at: the skus
 * it added are then the staged skus without a backup row whose updated_at is applied_at.
 *
 * Duplicate skus resolve here by the documented rule: the row with the highest row number wins. A row whose
 * values equal the item's is left alone (updated_at keeps meaning "last changed").
 */
import { ApplicationFailure } from '@temporalio/common';
import { catalogErrors } from '../../domain/catalog/publish';
import type { PostgresStore } from '../../stores/postgres';
import { stageTable } from './staging';
import { draftOfRun, lockCatalog } from './version-rows';

export interface ApplyInput {
  catalogId: string;
  importId: string;
  runId: string;
  version: number;
}

export interface ApplyResult {
  /** Items inserted or changed (unchanged rows are not counted). */
  upserted: number;
  /** Items that existed before, changed, and were saved to the backup. */
  backedUp: number;
}

export async function applyCatalogImport(postgres: PostgresStore, input: ApplyInput): Promise<ApplyResult> {
  const stage = stageTable(input.importId);
  return postgres.transaction(async (client) => {
    await lockCatalog(client, input.catalogId);
    if (!(await draftOfRun(client, input.runId, input.version))) {
      throw ApplicationFailure.nonRetryable(`version ${input.version} is no longer this run's draft`, catalogErrors.concurrentPublish);
    }
    const { rows } = await client.query<{ status: string; rows_upserted: number | null }>(
      'SELECT status, rows_upserted FROM catalog_imports WHERE import_id = $1 AND run_id = $2 FOR UPDATE',
      [input.importId, input.runId],
    );
    const imported = rows[0];
    if (imported?.status === 'applied') {
      // A retry after the commit: already done.
      const { rows: backup } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM catalog_import_backup WHERE import_id = $1', [input.importId]);
      return { upserted: imported.rows_upserted ?? 0, backedUp: backup[0]!.n };
    }
    if (imported?.status !== 'loaded') {
      throw ApplicationFailure.nonRetryable(`import ${input.importId} is ${imported?.status ?? 'missing'}, not loaded`, catalogErrors.importRejected);
    }
    // Big imports sort and hash a lot of rows: more memory than the default 4 MB, and more time than
    // DATABASE_STATEMENT_TIMEOUT_MS (meant for requests) for each statement; the activity heartbeats meanwhile.
    await client.query("SET LOCAL work_mem = '64MB'");
    await client.query("SET LOCAL statement_timeout = '15min'");
    // One statement, one pass over the staged rows: the last row of each sku, compared with the item; only
    // new or changed items are saved (the changed ones' old values) and written. Unchanged ones cost no write.
    const { rows: applied } = await client.query<{ upserted: number; backed_up: number }>(
      `WITH latest AS (
         SELECT DISTINCT ON (sku) sku, name, price, category, active, attributes FROM ${stage} ORDER BY sku, row_number DESC
       ), changed AS (
         SELECT l.*, i.sku IS NOT NULL AS existed, i.name AS old_name, i.price AS old_price, i.category AS old_category,
                i.active AS old_active, i.attributes AS old_attributes, i.updated_at AS old_updated_at
         FROM latest l LEFT JOIN catalog_items i ON i.catalog_id = $2 AND i.sku = l.sku
         WHERE i.sku IS NULL
            OR (i.name, i.price, i.category, i.active, i.attributes) IS DISTINCT FROM (l.name, l.price, l.category, l.active, l.attributes)
       ), saved AS (
         INSERT INTO catalog_import_backup (import_id, catalog_id, sku, name, price, category, active, attributes, updated_at)
         SELECT $1, $2, sku, old_name, old_price, old_category, old_active, old_attributes, old_updated_at FROM changed WHERE existed
         ON CONFLICT DO NOTHING
         RETURNING 1
       ), written AS (
         INSERT INTO catalog_items AS i (catalog_id, sku, name, price, category, active, attributes, updated_at)
         SELECT $2, sku, name, price, category, active, attributes, now() FROM changed
         ON CONFLICT (catalog_id, sku) DO UPDATE SET
           name = EXCLUDED.name, price = EXCLUDED.price, category = EXCLUDED.category, active = EXCLUDED.active,
           attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM written)::int AS upserted, (SELECT count(*) FROM saved)::int AS backed_up`,
      [input.importId, input.catalogId],
    );
    const { upserted, backed_up: backedUp } = applied[0]!;
    await client.query("UPDATE catalog_imports SET status = 'applied', rows_upserted = $2, applied_at = now() WHERE import_id = $1", [
      input.importId,
      upserted,
    ]);
    return { upserted, backedUp };
  });
}
