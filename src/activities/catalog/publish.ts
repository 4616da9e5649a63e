/**
 * The publish step, the run's commit point. latest.json is written first (CDN clients may see the new
 * version a moment before the API does; its files are verified and in place), then one transaction switches
 * the current pointer, marks the previous version superseded and this one published, and writes the
 * CatalogoPublicado event to the outbox. If the transaction fails, the compensation rewrites latest.json
 * from the pointer, which it left untouched.
 *
 * Idempotent: a retry after the commit finds the version published and only rewrites latest.json.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import {
  CATALOG_PUBLISHED_EVENT_TYPE,
  CATALOG_PUBLISHED_EVENT_VERSION,
  type CatalogPublishedPayload,
} from '../../domain/catalog/events';
import { catalogErrors } from '../../domain/catalog/publish';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { latestOf, writeLatest } from './latest';
import { dropStage } from './staging';
import { catalogPublicationsTotal } from './metrics';
import { lockCatalog, versionOfRun } from './version-rows';

export interface PublishInput {
  catalogId: string;
  version: number;
  runId: string;
}

export interface PublishResult {
  version: number;
  previousVersion: number | null;
  publishedAt: string;
  /** Whether a CatalogoPublicado event was written to the outbox (CATALOG_EVENTS_ENABLED). */
  eventQueued: boolean;
}

export async function publishCatalogVersion(
  stores: { postgres: PostgresStore; objectStorage: ObjectStorage },
  config: Pick<Config, 'CATALOG_EVENTS_ENABLED'>,
  input: PublishInput,
): Promise<PublishResult> {
  const { postgres, objectStorage } = stores;
  const row = await versionOfRun(postgres.pool(), input.runId);
  if (row?.status === 'published' && row.version === input.version) {
    await writeLatest(objectStorage, latestOf(row, row.published_at!));
    return { version: row.version, previousVersion: row.previous_version, publishedAt: row.published_at!.toISOString(), eventQueued: config.CATALOG_EVENTS_ENABLED };
  }
  if (row?.status !== 'draft' || row.version !== input.version || !row.verified_at) {
    throw ApplicationFailure.nonRetryable(
      `version ${input.version} cannot be published: it is ${row?.status ?? 'missing'}${row && !row.verified_at ? ' and not verified' : ''}`,
      catalogErrors.concurrentPublish,
    );
  }
  const publishedAt = new Date();
  await writeLatest(objectStorage, latestOf(row, publishedAt));

  const result = await postgres.transaction(async (client) => {
    await lockCatalog(client, input.catalogId);
    const { rows: current } = await client.query<{ version: number }>('SELECT version FROM catalog_current WHERE catalog_id = $1 FOR UPDATE', [
      input.catalogId,
    ]);
    const previousVersion = current[0]?.version ?? null;
    const { rowCount } = await client.query(
      "UPDATE catalog_versions SET status = 'superseded', superseded_at = $2 WHERE catalog_id = $1 AND status = 'published'",
      [input.catalogId, publishedAt],
    );
    if (previousVersion === null && rowCount) throw new Error(`catalog ${input.catalogId} has a published version but no current pointer`);
    const published = await client.query(
      `UPDATE catalog_versions SET status = 'published', published_at = $3, previous_version = $4
       WHERE run_id = $1 AND version = $2 AND status = 'draft'`,
      [input.runId, input.version, publishedAt, previousVersion],
    );
    if (published.rowCount === 0) {
      throw ApplicationFailure.nonRetryable(`version ${input.version} is no longer this run's draft`, catalogErrors.concurrentPublish);
    }
    await client.query(
      `INSERT INTO catalog_current (catalog_id, version, switched_at) VALUES ($1, $2, $3)
       ON CONFLICT (catalog_id) DO UPDATE SET version = EXCLUDED.version, switched_at = EXCLUDED.switched_at`,
      [input.catalogId, input.version, publishedAt],
    );
    if (row.import_id) await client.query("UPDATE catalog_imports SET status = 'published' WHERE import_id = $1 AND status = 'applied'", [row.import_id]);
    if (config.CATALOG_EVENTS_ENABLED) {
      const payload: CatalogPublishedPayload = {
        catalog_id: input.catalogId,
        version: input.version,
        previous_version: previousVersion,
        item_count: row.item_count!,
        sha256: row.sha256!,
        snapshot_key: row.snapshot_key!,
        manifest_key: row.manifest_key!,
        snapshot_uri: row.snapshot_uri!,
        published_at: publishedAt.toISOString(),
      };
      await client.query(
        `INSERT INTO catalog_outbox (event_id, catalog_id, version, event_type, event_version, payload, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (catalog_id, version) DO NOTHING`,
        [randomUUID(), input.catalogId, input.version, CATALOG_PUBLISHED_EVENT_TYPE, CATALOG_PUBLISHED_EVENT_VERSION, payload, publishedAt],
      );
    }
    return { version: input.version, previousVersion, publishedAt: publishedAt.toISOString(), eventQueued: config.CATALOG_EVENTS_ENABLED };
  });
  catalogPublicationsTotal.inc({ outcome: 'published' });
  return result;
}

/** After the publish: the import's backup and staging table are no longer needed. Best effort. */
export async function finishCatalogRun(postgres: PostgresStore, input: { importId: string | null }): Promise<void> {
  if (!input.importId) return;
  await postgres.pool().query('DELETE FROM catalog_import_backup WHERE import_id = $1', [input.importId]);
  await dropStage(postgres.pool(), input.importId);
}
