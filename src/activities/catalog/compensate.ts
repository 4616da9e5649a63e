/**
 * Undoing a publish run that failed or was cancelled after it started changing things. One function, safe to
 * run again and again (every part checks what is left to undo), used by the workflow's compensation and by
 * the draft step to clean up after a run that was terminated before it could compensate.
 *
 * In one database transaction:
 *   - the run's version: a draft becomes `failed`; a version this run already published (the run failed after
 *     the commit) is un-published: the pointer goes back to the previous version, which is `published` again,
 *     and its not-yet-relayed CatalogoPublicado leaves the outbox;
 *   - the run's import: applied rows are undone (changed items restored from the backup, added skus
 *     deleted), its staging table dropped; the import ends `reverted` (was applied) or `failed`.
 * Then in storage: latest.json is made to match the pointer, and the version's objects are deleted.
 */
import type { PoolClient } from 'pg';
import { catalogKeys } from '../../domain/catalog/storage-layout';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { syncLatest } from './latest';
import { dropStage, stageExists, stageTable } from './staging';
import { catalogPublicationsTotal } from './metrics';
import { lockCatalog, versionOfRun } from './version-rows';

export interface CompensateInput {
  catalogId: string;
  runId: string;
  reason: string;
}

export interface CompensationOutcome {
  version: number | null;
  /** The run had published its version (it failed after the commit) and the publish was reverted. */
  revertedPublish: boolean;
  /** An event that had already reached Kafka cannot be recalled; consumers see a later version instead. */
  eventAlreadyRelayed: boolean;
  importId: string | null;
  itemsRestored: number;
  deletedObjects: number;
  /** The version latest.json names afterwards (null: none published). */
  latestVersion: number | null;
}

export async function compensateRun(
  stores: { postgres: PostgresStore; objectStorage: ObjectStorage },
  input: CompensateInput,
): Promise<CompensationOutcome> {
  const { postgres, objectStorage } = stores;
  const reason = input.reason.slice(0, 2000);
  const outcome = await postgres.transaction(async (client) => {
    await lockCatalog(client, input.catalogId);
    // Restoring a big import is a few long statements; the activity heartbeats meanwhile.
    await client.query("SET LOCAL statement_timeout = '15min'");
    const version = await versionOfRun(client, input.runId);
    let revertedPublish = false;
    let eventAlreadyRelayed = false;

    if (version?.status === 'published') {
      await client.query(
        "UPDATE catalog_versions SET status = 'failed', failure_reason = $3, failed_at = now() WHERE catalog_id = $1 AND version = $2",
        [input.catalogId, version.version, `publish reverted: ${reason}`],
      );
      if (version.previous_version !== null) {
        await client.query(
          "UPDATE catalog_versions SET status = 'published', superseded_at = NULL WHERE catalog_id = $1 AND version = $2",
          [input.catalogId, version.previous_version],
        );
        await client.query('UPDATE catalog_current SET version = $2, switched_at = now() WHERE catalog_id = $1', [
          input.catalogId,
          version.previous_version,
        ]);
      } else {
        await client.query('DELETE FROM catalog_current WHERE catalog_id = $1', [input.catalogId]);
      }
      const { rows: sent } = await client.query<{ sent: boolean }>(
        'DELETE FROM catalog_outbox WHERE catalog_id = $1 AND version = $2 RETURNING sent_at IS NOT NULL AS sent',
        [input.catalogId, version.version],
      );
      eventAlreadyRelayed = sent.some((row) => row.sent);
      revertedPublish = true;
    } else if (version?.status === 'draft') {
      await client.query(
        "UPDATE catalog_versions SET status = 'failed', failure_reason = $3, failed_at = now() WHERE catalog_id = $1 AND version = $2",
        [input.catalogId, version.version, reason],
      );
    }

    let itemsRestored = 0;
    const { rows: imports } = await client.query<{ import_id: string; status: string }>(
      'SELECT import_id, status FROM catalog_imports WHERE run_id = $1 FOR UPDATE',
      [input.runId],
    );
    for (const imported of imports) {
      if (imported.status === 'applied' || imported.status === 'published') {
        itemsRestored = await restoreItems(client, input.catalogId, imported.import_id);
        await client.query("UPDATE catalog_imports SET status = 'reverted', rejection_reason = $2 WHERE import_id = $1", [
          imported.import_id,
          reason,
        ]);
      } else if (imported.status === 'loading' || imported.status === 'loaded') {
        await client.query("UPDATE catalog_imports SET status = 'failed', rejection_reason = $2, finished_at = now() WHERE import_id = $1", [
          imported.import_id,
          reason,
        ]);
      }
      await client.query('DELETE FROM catalog_import_backup WHERE import_id = $1', [imported.import_id]);
      await dropStage(client, imported.import_id);
    }
    if (version && (version.status === 'draft' || version.status === 'published')) catalogPublicationsTotal.inc({ outcome: 'failed' });
    return { version: version?.version ?? null, revertedPublish, eventAlreadyRelayed, importId: imports[0]?.import_id ?? null, itemsRestored };
  });

  // Storage after the database: latest.json must never name a version whose files are about to go.
  const latestVersion = await syncLatest(objectStorage, postgres, input.catalogId);
  let deletedObjects = 0;
  if (outcome.version !== null && outcome.version !== latestVersion) {
    for (const object of await objectStorage.list(catalogKeys.versionPrefix(input.catalogId, outcome.version))) {
      await objectStorage.delete(object.key);
      deletedObjects += 1;
    }
  }
  return { ...outcome, deletedObjects, latestVersion };
}

/**
 * Puts catalog_items back as they were before the import was applied: changed items restored from the
 * backup, added ones deleted, unchanged ones never touched. Returns the rows touched. Sound because only
 * this run writes the catalog until it ends (one publish at a time per catalog).
 */
async function restoreItems(client: PoolClient, catalogId: string, importId: string): Promise<number> {
  if (!(await stageExists(client, importId))) {
    throw new Error(`cannot undo import ${importId}: its staging table ${stageTable(importId)} is gone`);
  }
  // Added by the import: staged, not saved (it did not exist before), and written by the apply (updated_at).
  const removed = await client.query(
    `DELETE FROM catalog_items i USING (SELECT DISTINCT sku FROM ${stageTable(importId)}) s, catalog_imports m
     WHERE m.import_id = $1 AND i.catalog_id = $2 AND i.sku = s.sku AND i.updated_at = m.applied_at
       AND NOT EXISTS (SELECT 1 FROM catalog_import_backup b WHERE b.import_id = $1 AND b.sku = s.sku)`,
    [importId, catalogId],
  );
  const restored = await client.query(
    `UPDATE catalog_items i SET name = b.name, price = b.price, category = b.category, active = b.active,
       attributes = b.attributes, updated_at = b.updated_at
     FROM catalog_import_backup b
     WHERE b.import_id = $1 AND i.catalog_id = b.catalog_id AND i.sku = b.sku`,
    [importId],
  );
  return (removed.rowCount ?? 0) + (restored.rowCount ?? 0);
}
