/**
 * Catalog test helpers: real PostgreSQL and object storage (a temp folder, or GCS on the emulator), a catalog
 * id per test so tests never see each other's items or versions, CSV builders, and state snapshots to prove
 * that a failed run left storage and database as they were.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createCatalogActivities, type CatalogActivities } from '../../src/activities/catalog';
import { loadConfig, type Config } from '../../src/config';
import { catalogKeys } from '../../src/domain/catalog/storage-layout';
import { taskQueues } from '../../src/domain/task-queues';
import { createObjectStorage, type ObjectStorage } from '../../src/stores/object-storage';
import { createPostgresStore, type PostgresStore } from '../../src/stores/postgres';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadWorkflowBundle } from '../setup/workflow-bundle';
import { quietRuntime } from './temporal';

export interface CatalogTestStores {
  config: Config;
  postgres: PostgresStore;
  objectStorage: ObjectStorage;
  activities: CatalogActivities;
  close(): Promise<void>;
}

/** Local storage in a fresh temp folder unless overrides say otherwise; events off unless asked for. */
export function catalogTestStores(overrides: Record<string, string | undefined> = {}): CatalogTestStores {
  const config = loadConfig({
    ...process.env,
    STORAGE_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'fluxo-catalog-')),
    CATALOG_EVENTS_ENABLED: 'false',
    ...overrides,
  });
  const postgres = createPostgresStore(config);
  const objectStorage = createObjectStorage(config);
  return {
    config,
    postgres,
    objectStorage,
    activities: createCatalogActivities({ postgres, objectStorage }, config),
    async close() {
      await postgres.close();
      await objectStorage.close();
    },
  };
}

export const uniqueCatalogId = (name: string) => `t-${name}-${randomUUID().slice(0, 8)}`.slice(0, 40);

export const HEADER = 'sku,name,price,category,active,attributes';

/** `count` valid rows, sku `<prefix>00001`…, prices that vary with `seed` so two catalogs differ. */
export function csvRows(count: number, options: { prefix?: string; seed?: number; start?: number } = {}): string {
  const prefix = options.prefix ?? 'SKU';
  const start = options.start ?? 1;
  const lines: string[] = [];
  for (let i = start; i < start + count; i++) {
    const sku = `${prefix}${String(i).padStart(5, '0')}`;
    lines.push(`${sku},Item ${i},${((i * 7 + (options.seed ?? 0)) % 1000) + 0.5},cat-${i % 7},true,`);
  }
  return lines.join('\n');
}

export async function putCsv(storage: ObjectStorage, catalogId: string, text: string | Buffer): Promise<{ importId: string; sourceKey: string }> {
  const importId = randomUUID();
  const sourceKey = catalogKeys.importSource(catalogId, importId);
  await storage.put(sourceKey, Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), { contentType: 'text/csv' });
  return { importId, sourceKey };
}

/** Streams a large CSV into storage without holding it in memory; returns its key and row count. */
export async function putLargeCsv(storage: ObjectStorage, catalogId: string, bytes: number): Promise<{ importId: string; sourceKey: string; rows: number; size: number }> {
  const importId = randomUUID();
  const sourceKey = catalogKeys.importSource(catalogId, importId);
  let rows = 0;
  let size = 0;
  const source = Readable.from(
    (function* () {
      yield `${HEADER}\r\n`;
      while (size < bytes) {
        const lines: string[] = [];
        for (let k = 0; k < 1000; k++) {
          rows += 1;
          lines.push(`BIG${String(rows).padStart(8, '0')},"Item ${rows}, large batch",${(rows % 9999) + 0.25},cat-${rows % 13},true,"{""n"":${rows % 5}}"\r\n`);
        }
        const chunk = lines.join('');
        size += Buffer.byteLength(chunk);
        yield chunk;
      }
    })(),
  );
  const stored = await storage.put(sourceKey, source, { contentType: 'text/csv' });
  return { importId, sourceKey, rows, size: stored.size };
}

/** Everything of a catalog in the database and storage, to compare before and after a failed run. */
export async function catalogState(stores: { postgres: PostgresStore; objectStorage: ObjectStorage }, catalogId: string) {
  const pool = stores.postgres.pool();
  const items = await pool.query(
    'SELECT sku, name, price::text, category, active, attributes, updated_at FROM catalog_items WHERE catalog_id = $1 ORDER BY sku',
    [catalogId],
  );
  const current = await pool.query('SELECT version FROM catalog_current WHERE catalog_id = $1', [catalogId]);
  const published = await pool.query("SELECT version FROM catalog_versions WHERE catalog_id = $1 AND status = 'published'", [catalogId]);
  const outbox = await pool.query('SELECT version FROM catalog_outbox WHERE catalog_id = $1 ORDER BY version', [catalogId]);
  const objects = await stores.objectStorage.list(`catalog/${catalogId}/`);
  const latest = await stores.objectStorage.getBuffer(catalogKeys.latest(catalogId)).then(
    (bytes) => bytes.toString('utf8'),
    () => null,
  );
  return {
    itemsHash: createHash('sha256').update(JSON.stringify(items.rows)).digest('hex'),
    itemCount: items.rowCount,
    current: current.rows[0]?.version ?? null,
    published: published.rows.map((row) => row.version),
    outbox: outbox.rows.map((row) => row.version),
    // Import sources are the caller's uploads, kept with the import's record; everything else must match.
    objects: objects.map((object) => object.key).filter((key) => !key.includes('/imports/')),
    latest,
  };
}

/**
 * A worker for the `catalog` task queue only, on the dev server (namespace fluxo-test), with the shared test
 * bundle: lighter than startTestWorkers, and independent of other domains' activity modules.
 */
export async function startCatalogWorker(overrides: Record<string, string> = {}): Promise<{ stores: CatalogTestStores; stop(): Promise<void> }> {
  quietRuntime();
  const stores = catalogTestStores(overrides);
  const connection = await NativeConnection.connect({ address: stores.config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: stores.config.TEMPORAL_NAMESPACE,
    taskQueue: taskQueues.catalog,
    workflowBundle: loadWorkflowBundle(),
    activities: stores.activities,
    maxHeartbeatThrottleInterval: '1 second',
  });
  const running = worker.run();
  return {
    stores,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await stores.close();
      await connection.close();
    },
  };
}
