/**
 * Where a catalog's files live in object storage. Keys are leaf-shaped (no key is another key's folder), as
 * both backends require (docs/services/object-storage.md):
 *
 *   catalog/<catalog_id>/imports/<import_id>/source.csv        an uploaded CSV
 *   catalog/<catalog_id>/versions/v00000012/catalog.ndjson.gz  a version's snapshot (gzip NDJSON sorted by sku)
 *   catalog/<catalog_id>/versions/v00000012/manifest.json      its manifest (version, count, sha256)
 *   catalog/<catalog_id>/latest.json                           the published version, for CDN clients
 */

export const SNAPSHOT_CONTENT_TYPE = 'application/x-ndjson+gzip';
export const MANIFEST_CONTENT_TYPE = 'application/json';
export const CSV_CONTENT_TYPE = 'text/csv';

const root = (catalogId: string) => `catalog/${catalogId}`;
/** Zero-padded so a listing of versions sorts numerically. */
const versionFolder = (catalogId: string, version: number) => `${root(catalogId)}/versions/v${String(version).padStart(8, '0')}`;

export const catalogKeys = {
  importSource: (catalogId: string, importId: string) => `${root(catalogId)}/imports/${importId}/source.csv`,
  /** Every object of a version, for listing and deleting them together. */
  versionPrefix: (catalogId: string, version: number) => `${versionFolder(catalogId, version)}/`,
  snapshot: (catalogId: string, version: number) => `${versionFolder(catalogId, version)}/catalog.ndjson.gz`,
  manifest: (catalogId: string, version: number) => `${versionFolder(catalogId, version)}/manifest.json`,
  latest: (catalogId: string) => `${root(catalogId)}/latest.json`,
};

/** The manifest written beside each snapshot; `sha256` and `size_bytes` are those of the .ndjson.gz bytes. */
export interface CatalogManifest {
  catalog_id: string;
  version: number;
  item_count: number;
  sha256: string;
  size_bytes: number;
  format: 'ndjson+gzip';
  snapshot_key: string;
  /** SHA-256 of the uncompressed NDJSON: lets a client check what it decompressed. */
  content_sha256: string;
}

/** `latest.json`: what CDN clients read first to find the current snapshot. */
export interface CatalogLatest {
  catalog_id: string;
  version: number;
  sha256: string;
  item_count: number;
  snapshot_key: string;
  manifest_key: string;
  published_at: string;
}
