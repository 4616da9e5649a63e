/**
 * `latest.json`: the published version as CDN clients see it. Always derived from the database's current
 * pointer, so rewriting it is idempotent and a compensation can put it back by writing it again.
 */
import { catalogKeys, MANIFEST_CONTENT_TYPE, type CatalogLatest } from '../../domain/catalog/storage-layout';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import type { VersionRow } from './version-rows';

export function latestOf(row: VersionRow, publishedAt: Date): CatalogLatest {
  return {
    catalog_id: row.catalog_id,
    version: row.version,
    sha256: row.sha256!,
    item_count: row.item_count!,
    snapshot_key: row.snapshot_key!,
    manifest_key: row.manifest_key!,
    published_at: publishedAt.toISOString(),
  };
}

export const latestBytes = (latest: CatalogLatest) => Buffer.from(`${JSON.stringify(latest, null, 2)}\n`);

export async function writeLatest(storage: ObjectStorage, latest: CatalogLatest): Promise<void> {
  await storage.put(catalogKeys.latest(latest.catalog_id), latestBytes(latest), { contentType: MANIFEST_CONTENT_TYPE });
}

/** Makes latest.json match the current pointer: rewritten, or deleted when the catalog has none. */
export async function syncLatest(storage: ObjectStorage, postgres: PostgresStore, catalogId: string): Promise<number | null> {
  const { rows } = await postgres.pool().query<VersionRow>(
    `SELECT v.* FROM catalog_current c JOIN catalog_versions v USING (catalog_id, version) WHERE c.catalog_id = $1`,
    [catalogId],
  );
  const current = rows[0];
  if (!current) {
    await storage.delete(catalogKeys.latest(catalogId));
    return null;
  }
  await writeLatest(storage, latestOf(current, current.published_at!));
  return current.version;
}
