/**
 * The verify step: never publish what was not read back. The uploaded snapshot is streamed from storage,
 * hashed (it must be the SHA-256 recorded when it was written), checked against its manifest, decompressed and
 * hashed page by page (10,000 lines); PostgreSQL hashes the same pages of what the catalog holds now. Equal
 * digests: divergence 0, and the database's text never left the database.
 * Different: a line-by-line comparison (both sides in sku order, so a merge walk holding one page of each)
 * counts the items missing from the snapshot, extra in it, or different. The divergence (missing + extra +
 * different over the database's item count) must not pass CATALOG_DIVERGENCE_THRESHOLD (0.1 % by default):
 * a catalog changed by someone else between snapshot and verify is tolerated that far.
 */
import { createHash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import { compareSku } from '../../domain/catalog/item';
import { catalogErrors, type VerifySummary } from '../../domain/catalog/publish';
import type { CatalogManifest } from '../../domain/catalog/storage-layout';
import { ObjectNotFoundError, type ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { itemLinePages, PAGE_SIZE, snapshotPageDigests, type ItemLine } from './item-pages';
import { activityProgress, type ActivityProgress } from './progress';
import { draftOfRun } from './version-rows';

export interface VerifyInput {
  catalogId: string;
  version: number;
  runId: string;
}

export interface Comparison {
  snapshotCount: number;
  databaseCount: number;
  missing: number;
  extra: number;
  different: number;
}

/** Walks the database's item lines alongside the snapshot's, both in sku order. */
class DatabaseCursor {
  private page: ItemLine[] = [];
  private index = 0;
  private exhausted = false;
  private readonly pages: AsyncGenerator<ItemLine[]>;

  constructor(postgres: PostgresStore, catalogId: string) {
    this.pages = itemLinePages(postgres.pool(), catalogId);
  }

  /** The next database line not yet consumed, or undefined at the end. */
  async peek(): Promise<ItemLine | undefined> {
    while (this.index >= this.page.length && !this.exhausted) {
      const next = await this.pages.next();
      if (next.done) this.exhausted = true;
      else {
        this.page = next.value;
        this.index = 0;
      }
    }
    return this.page[this.index];
  }

  advance(): void {
    this.index += 1;
  }

  async close(): Promise<void> {
    await this.pages.return(undefined);
  }
}

/** Compares snapshot NDJSON lines (as they stream) with the database, counting the differences. */
export async function compareWithDatabase(
  postgres: PostgresStore,
  catalogId: string,
  feed: (consume: (line: string) => Promise<void>) => Promise<void>,
): Promise<Comparison> {
  const cursor = new DatabaseCursor(postgres, catalogId);
  const counts: Comparison = { snapshotCount: 0, databaseCount: 0, missing: 0, extra: 0, different: 0 };
  let previousSku: string | undefined;
  try {
    await feed(async (line) => {
      counts.snapshotCount += 1;
      let sku: string;
      try {
        sku = (JSON.parse(line) as { sku: unknown }).sku as string;
      } catch {
        throw new SnapshotUnreadable(`line ${counts.snapshotCount} is not JSON`);
      }
      if (typeof sku !== 'string') throw new SnapshotUnreadable(`line ${counts.snapshotCount} has no sku`);
      if (previousSku !== undefined && compareSku(previousSku, sku) >= 0) {
        throw new SnapshotUnreadable(`line ${counts.snapshotCount} is out of sku order (${sku} after ${previousSku})`);
      }
      previousSku = sku;
      let db = await cursor.peek();
      while (db && compareSku(db.sku, sku) < 0) {
        counts.missing += 1;
        counts.databaseCount += 1;
        cursor.advance();
        db = await cursor.peek();
      }
      if (db && db.sku === sku) {
        counts.databaseCount += 1;
        if (db.line !== `${line}\n`) counts.different += 1;
        cursor.advance();
      } else {
        counts.extra += 1;
      }
    });
    for (let db = await cursor.peek(); db; db = await cursor.peek()) {
      counts.missing += 1;
      counts.databaseCount += 1;
      cursor.advance();
    }
  } finally {
    await cursor.close();
  }
  return counts;
}

export class SnapshotUnreadable extends Error {}

export const divergenceOf = (counts: Comparison) =>
  (counts.missing + counts.extra + counts.different) / Math.max(counts.databaseCount, 1);

async function sha256Of(storage: ObjectStorage, key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await storage.get(key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface ReadBack {
  /** SHA-256 of the stored (compressed) bytes. */
  sha256: string;
  /** SHA-256 of the decompressed NDJSON. */
  contentSha256: string;
  lines: number;
  /** SHA-256 of each page of PAGE_SIZE lines of the NDJSON (the last page may be shorter). */
  pageDigests: string[];
}

/**
 * Streams the stored snapshot once: hashes its bytes, decompresses, hashes the text as a whole and page by
 * page (PAGE_SIZE lines, as snapshotPageDigests cuts the database's), and counts the lines.
 */
async function readBack(storage: ObjectStorage, key: string, progress: ActivityProgress): Promise<ReadBack> {
  const raw = createHash('sha256');
  const content = createHash('sha256');
  const pageDigests: string[] = [];
  let page = createHash('sha256');
  let linesInPage = 0;
  let lines = 0;
  let bytes = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      raw.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      content.update(chunk);
      let from = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
        lines += 1;
        linesInPage += 1;
        if (linesInPage === PAGE_SIZE) {
          page.update(chunk.subarray(from, at + 1));
          pageDigests.push(page.digest('hex'));
          page = createHash('sha256');
          linesInPage = 0;
          from = at + 1;
        }
      }
      page.update(chunk.subarray(from));
      progress.beat({ bytes });
      callback();
    },
  });
  await pipeline(await storage.get(key), hasher, createGunzip(), sink, progress.signal ? { signal: progress.signal } : {});
  if (linesInPage > 0) pageDigests.push(page.digest('hex'));
  return { sha256: raw.digest('hex'), contentSha256: content.digest('hex'), lines, pageDigests };
}

/**
 * Whether the database holds exactly what the snapshot holds: its page digests (computed by PostgreSQL) equal
 * the snapshot's, page for page. Also returns the database's item count.
 */
async function matchesDatabase(postgres: PostgresStore, catalogId: string, snapshotDigests: string[]): Promise<{ equal: boolean; items: number }> {
  let items = 0;
  let index = 0;
  let equal = true;
  for await (const page of snapshotPageDigests(postgres.pool(), catalogId)) {
    items += page.count;
    if (page.sha256 !== snapshotDigests[index]) equal = false;
    index += 1;
  }
  return { equal: equal && index === snapshotDigests.length, items };
}

/** The line-by-line comparison, only when the contents differ: how many items are missing, extra or different. */
async function detailedComparison(storage: ObjectStorage, postgres: PostgresStore, key: string, catalogId: string, progress: ActivityProgress): Promise<Comparison> {
  return compareWithDatabase(postgres, catalogId, async (consume) => {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        const text = pending + decoder.write(chunk);
        const lines = text.split('\n');
        pending = lines.pop()!;
        (async () => {
          for (const line of lines) await consume(line);
          progress.throwIfCancelled();
          progress.beat({ comparing: true });
        })().then(() => callback(), callback);
      },
      final(callback) {
        const rest = pending + decoder.end();
        (rest === '' ? Promise.resolve() : consume(rest)).then(() => callback(), callback);
      },
    });
    await pipeline(await storage.get(key), createGunzip(), sink);
  });
}

export async function verifyCatalogSnapshot(
  stores: { postgres: PostgresStore; objectStorage: ObjectStorage },
  config: Pick<Config, 'CATALOG_DIVERGENCE_THRESHOLD'>,
  input: VerifyInput,
): Promise<VerifySummary> {
  const { postgres, objectStorage } = stores;
  const draft = await draftOfRun(postgres.pool(), input.runId, input.version);
  if (!draft?.snapshot_key || !draft.sha256) {
    throw ApplicationFailure.nonRetryable(`version ${input.version} has no snapshot to verify`, catalogErrors.verificationFailed);
  }
  const key = draft.snapshot_key;
  const fail = (message: string) => ApplicationFailure.nonRetryable(`snapshot of version ${input.version}: ${message}`, catalogErrors.verificationFailed);
  const progress = activityProgress();

  let stored: ReadBack;
  try {
    stored = await readBack(objectStorage, key, progress);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) throw fail('the file is missing from storage');
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      // Corrupt: say whether the bytes changed since they were written (they must have).
      const actual = await sha256Of(objectStorage, key).catch(() => 'unreadable');
      throw fail(`it does not decompress (${(error as Error).message}); sha256 is ${actual}, expected ${draft.sha256}`);
    }
    throw error;
  }
  if (stored.sha256 !== draft.sha256) throw fail(`sha256 is ${stored.sha256}, expected ${draft.sha256}: the stored bytes are not the ones written`);
  if (stored.lines !== draft.item_count) throw fail(`${stored.lines} items read back, ${draft.item_count} written`);

  const manifest = JSON.parse((await objectStorage.getBuffer(draft.manifest_key!)).toString('utf8')) as CatalogManifest;
  if (manifest.sha256 !== stored.sha256 || manifest.content_sha256 !== stored.contentSha256 || manifest.item_count !== stored.lines) {
    throw fail(`the manifest ${draft.manifest_key} does not describe the snapshot (sha256, content_sha256 or item_count differ)`);
  }

  progress.throwIfCancelled();
  const database = await matchesDatabase(postgres, input.catalogId, stored.pageDigests);
  let counts: Comparison = { snapshotCount: stored.lines, databaseCount: database.items, missing: 0, extra: 0, different: 0 };
  if (!database.equal) {
    try {
      counts = await detailedComparison(objectStorage, postgres, key, input.catalogId, progress);
    } catch (error) {
      if (error instanceof SnapshotUnreadable) throw fail((error as Error).message);
      throw error;
    }
  }

  const divergence = divergenceOf(counts);
  const threshold = config.CATALOG_DIVERGENCE_THRESHOLD;
  if (divergence > threshold) {
    throw ApplicationFailure.nonRetryable(
      `snapshot of version ${input.version} differs from the database in ${counts.missing} missing, ${counts.extra} extra and ` +
        `${counts.different} different items of ${counts.databaseCount} (${(divergence * 100).toFixed(3)}%, threshold ${(threshold * 100).toFixed(3)}%)`,
      catalogErrors.divergenceExceeded,
      counts,
    );
  }
  const { rowCount } = await postgres
    .pool()
    .query("UPDATE catalog_versions SET verified_at = now() WHERE run_id = $1 AND version = $2 AND status = 'draft'", [input.runId, input.version]);
  if (rowCount === 0) throw ApplicationFailure.nonRetryable(`version ${input.version} is no longer this run's draft`, catalogErrors.concurrentPublish);
  return { sha256: stored.sha256, itemCount: stored.lines, databaseCount: counts.databaseCount, divergence, divergenceThreshold: threshold };
}
