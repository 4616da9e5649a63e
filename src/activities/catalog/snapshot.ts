/**
 * The snapshot step: the catalog as gzip NDJSON sorted by sku, streamed from PostgreSQL through gzip into
 * object storage (never the whole file in memory), then its manifest (version, count, SHA-256).
 *
 * Deterministic: the same catalog gives the same bytes. PostgreSQL writes canonical lines (item.ts) in byte
 * order of sku, and gzip runs with fixed settings: level 6, no file name, header mtime 0 (what Node's zlib
 * writes), so nothing about the moment or the machine enters the file (same zlib build assumed).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants, createGzip } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import { catalogErrors, type SnapshotSummary } from '../../domain/catalog/publish';
import { catalogKeys, MANIFEST_CONTENT_TYPE, SNAPSHOT_CONTENT_TYPE, type CatalogManifest } from '../../domain/catalog/storage-layout';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { snapshotPages } from './item-pages';
import { activityProgress } from './progress';
import { draftOfRun } from './version-rows';

export const GZIP_OPTIONS = { level: 6, memLevel: 8, strategy: constants.Z_DEFAULT_STRATEGY } as const;

export interface SnapshotInput {
  catalogId: string;
  version: number;
  runId: string;
}

/** Streams the catalog's NDJSON, counting items and hashing the uncompressed text on the way. */
export function ndjsonStream(postgres: PostgresStore, catalogId: string, onPage?: (items: number) => void) {
  const hash = createHash('sha256');
  let items = 0;
  const stream = Readable.from(
    (async function* () {
      for await (const page of snapshotPages(postgres.pool(), catalogId)) {
        items += page.count;
        const bytes = Buffer.from(page.text, 'utf8');
        hash.update(bytes);
        onPage?.(items);
        yield bytes;
      }
    })(),
  );
  return { stream, result: () => ({ items, contentSha256: hash.digest('hex') }) };
}

/** The gzip NDJSON bytes of the catalog as a stream (the snapshot without the upload; tests and the bench). */
export function gzipSnapshotStream(postgres: PostgresStore, catalogId: string, onPage?: (items: number) => void) {
  const ndjson = ndjsonStream(postgres, catalogId, onPage);
  const gzip = createGzip(GZIP_OPTIONS);
  ndjson.stream.on('error', (error) => gzip.destroy(error));
  return { stream: ndjson.stream.pipe(gzip), result: ndjson.result };
}

export async function buildCatalogSnapshot(
  stores: { postgres: PostgresStore; objectStorage: ObjectStorage },
  input: SnapshotInput,
): Promise<SnapshotSummary> {
  const { postgres, objectStorage } = stores;
  if (!(await draftOfRun(postgres.pool(), input.runId, input.version))) {
    throw ApplicationFailure.nonRetryable(`version ${input.version} is no longer this run's draft`, catalogErrors.concurrentPublish);
  }
  const progress = activityProgress();
  const snapshotKey = catalogKeys.snapshot(input.catalogId, input.version);
  const manifestKey = catalogKeys.manifest(input.catalogId, input.version);

  const snapshot = gzipSnapshotStream(postgres, input.catalogId, (items) => {
    progress.throwIfCancelled();
    progress.beat({ items });
  });
  const stored = await objectStorage.put(snapshotKey, snapshot.stream, { contentType: SNAPSHOT_CONTENT_TYPE });
  const { items, contentSha256 } = snapshot.result();

  const manifest: CatalogManifest = {
    catalog_id: input.catalogId,
    version: input.version,
    item_count: items,
    sha256: stored.sha256,
    size_bytes: stored.size,
    format: 'ndjson+gzip',
    snapshot_key: snapshotKey,
    content_sha256: contentSha256,
  };
  await objectStorage.put(manifestKey, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { contentType: MANIFEST_CONTENT_TYPE });

  const snapshotUri = objectStorage.uri(snapshotKey);
  const { rowCount } = await postgres.pool().query(
    `UPDATE catalog_versions SET item_count = $3, sha256 = $4, size_bytes = $5, snapshot_key = $6, manifest_key = $7,
       snapshot_uri = $8, snapshot_at = now()
     WHERE run_id = $1 AND version = $2 AND status = 'draft'`,
    [input.runId, input.version, items, stored.sha256, stored.size, snapshotKey, manifestKey, snapshotUri],
  );
  if (rowCount === 0) {
    // The version was failed while we uploaded (the run was compensated): take our files back out.
    await objectStorage.delete(snapshotKey);
    await objectStorage.delete(manifestKey);
    throw ApplicationFailure.nonRetryable(`version ${input.version} was failed during its snapshot`, catalogErrors.concurrentPublish);
  }
  return { version: input.version, itemCount: items, sha256: stored.sha256, sizeBytes: stored.size, snapshotKey, manifestKey, snapshotUri };
}
