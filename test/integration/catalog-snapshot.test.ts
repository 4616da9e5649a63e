/**
 * The snapshot and its verification against real PostgreSQL and storage: the exact line format, sorting,
 * same catalog → same bytes (fixed gzip header), and the divergence check (tolerated up to the threshold,
 * refused past it).
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { gzipSnapshotStream } from '../../src/activities/catalog/snapshot';
import { catalogErrors } from '../../src/domain/catalog/publish';
import { catalogTestStores, uniqueCatalogId, type CatalogTestStores } from '../support/catalog';

let stores: CatalogTestStores;
beforeAll(() => {
  stores = catalogTestStores();
});
afterAll(async () => {
  await stores.close();
});

async function insertItems(catalogId: string, count: number): Promise<void> {
  await stores.postgres.pool().query(
    `INSERT INTO catalog_items (catalog_id, sku, name, price, category, active, attributes)
     SELECT $1, 'S' || lpad(i::text, 6, '0'), 'Item ' || i, i + 0.5, 'c', true, '{}' FROM generate_series(1, $2) AS i`,
    [catalogId, count],
  );
}

async function snapshotBytes(catalogId: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of gzipSnapshotStream(stores.postgres, catalogId).stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test('lines have a fixed form, sorted by sku in byte order, whatever the values hold', async () => {
  const catalogId = uniqueCatalogId('lines');
  await stores.postgres.pool().query(
    `INSERT INTO catalog_items (catalog_id, sku, name, price, category, active, attributes) VALUES
       ($1, 'b-1', E'Tab\\there, "quoted"\\nnew line', 7, 'Café', false, '{"zeta": 1, "b": [2, {"y": null, "x": "é"}], "aa": true}'),
       ($1, 'B-1', 'Upper', 0.5, 'c', true, '{}'),
       ($1, 'a-1', 'Lower', 10.25, 'c', true, '{}')`,
    [catalogId],
  );
  const text = gunzipSync(await snapshotBytes(catalogId)).toString('utf8');
  expect(text).toBe(
    '{"sku":"B-1","name":"Upper","price":"0.50","category":"c","active":true,"attributes":{}}\n' +
      '{"sku":"a-1","name":"Lower","price":"10.25","category":"c","active":true,"attributes":{}}\n' +
      '{"sku":"b-1","name":"Tab\\there, \\"quoted\\"\\nnew line","price":"7.00","category":"Café","active":false,"attributes":{"b": [2, {"x": "é", "y": null}], "aa": true, "zeta": 1}}\n',
  );
  // Every line is JSON.
  expect(text.trim().split('\n').map((line) => JSON.parse(line).sku)).toEqual(['B-1', 'a-1', 'b-1']);
});

test('the same catalog gives the same bytes; the gzip header carries no time', async () => {
  const catalogId = uniqueCatalogId('same');
  await insertItems(catalogId, 25_000);
  const first = await snapshotBytes(catalogId);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const second = await snapshotBytes(catalogId);
  expect(second.equals(first)).toBe(true);
  expect(first.readUInt32LE(4)).toBe(0); // MTIME
  expect(gunzipSync(first).toString('utf8').split('\n')).toHaveLength(25_001);
  // Another catalog with the same items gives the same bytes too: nothing of the catalog id or time is inside.
  const twin = uniqueCatalogId('twin');
  await insertItems(twin, 25_000);
  expect((await snapshotBytes(twin)).equals(first)).toBe(true);
});

/** Drafts and snapshots a version of `catalogId`, then lets `meddle` change the database before verifying. */
async function verifyAfter(catalogId: string, meddle: () => Promise<void>) {
  const runId = randomUUID();
  const draft = await stores.activities.draftCatalogVersion({ catalogId, workflowId: 'test', runId, importId: null });
  await stores.activities.buildCatalogSnapshot({ catalogId, version: draft.version, runId });
  await meddle();
  try {
    return await stores.activities.verifyCatalogSnapshot({ catalogId, version: draft.version, runId });
  } finally {
    await stores.activities.compensateCatalogRun({ catalogId, runId, reason: 'test cleanup' });
  }
}

test('a database that moved on a little is tolerated up to the divergence threshold (0.1 %)', async () => {
  const catalogId = uniqueCatalogId('drift');
  await insertItems(catalogId, 2000);
  const verified = await verifyAfter(catalogId, async () => {
    await stores.postgres.pool().query("UPDATE catalog_items SET name = 'changed' WHERE catalog_id = $1 AND sku = 'S000007'", [catalogId]);
  });
  expect(verified).toMatchObject({ itemCount: 2000, databaseCount: 2000, divergence: 0.0005 });
});

test('past the threshold the verification fails, counting missing, extra and different items', async () => {
  const catalogId = uniqueCatalogId('diverged');
  await insertItems(catalogId, 1000);
  const error = await verifyAfter(catalogId, async () => {
    const pool = stores.postgres.pool();
    await pool.query("UPDATE catalog_items SET price = 1 WHERE catalog_id = $1 AND sku = 'S000001'", [catalogId]);
    await pool.query("DELETE FROM catalog_items WHERE catalog_id = $1 AND sku = 'S000002'", [catalogId]);
    await pool.query("INSERT INTO catalog_items (catalog_id, sku, name, price, category) VALUES ($1, 'S000002a', 'new', 1, 'c')", [catalogId]);
  }).catch((failure: unknown) => failure);
  expect(error).toMatchObject({ type: catalogErrors.divergenceExceeded });
  expect((error as Error).message).toMatch(/1 missing, 1 extra and 1 different items of 1000 \(0\.300%, threshold 0\.100%\)/);
});
