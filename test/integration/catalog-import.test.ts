/**
 * The CSV import step against real PostgreSQL and object storage: each case of docs/catalog.md ("CSV import:
 * documented results") gives its documented outcome and report; a 50 MB file imports within bounded memory.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dropStage, stageExists, stageTable } from '../../src/activities/catalog/staging';
import type { ImportSummary } from '../../src/domain/catalog/publish';
import { catalogTestStores, csvRows, HEADER, putCsv, putLargeCsv, uniqueCatalogId, type CatalogTestStores } from '../support/catalog';

const execFileAsync = promisify(execFile);
/** The big import's heap cap: the file is 50 MB. */
const HEAP_CAP_MB = 64;

let stores: CatalogTestStores;
beforeAll(() => {
  stores = catalogTestStores();
});
afterAll(async () => {
  await stores.close();
});

interface Imported {
  summary: ImportSummary;
  catalogId: string;
  runId: string;
  issues: { row: number; line: number; column: string; reason: string; severity: string }[];
  staged: number;
}

async function importText(text: string | Buffer, catalogId = uniqueCatalogId('import')): Promise<Imported> {
  const { importId, sourceKey } = await putCsv(stores.objectStorage, catalogId, text);
  const runId = randomUUID();
  const summary = await stores.activities.importCatalogCsv({ catalogId, importId, sourceKey, workflowId: 'test', runId });
  const pool = stores.postgres.pool();
  const { rows: issues } = await pool.query(
    `SELECT row_number AS row, line_number AS line, column_name AS column, reason, severity
     FROM catalog_import_issues WHERE import_id = $1 ORDER BY row_number, seq`,
    [importId],
  );
  return { summary, catalogId, runId, issues, staged: await stagedRows(importId) };
}

/** Rows in the import's staging table (0 when it has none, e.g. after a rejection dropped it). */
async function stagedRows(importId: string): Promise<number> {
  const pool = stores.postgres.pool();
  if (!(await stageExists(pool, importId))) return 0;
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${stageTable(importId)}`);
  return rows[0].n;
}

test('UTF-8 with a byte-order mark: the BOM is not part of the first column name', async () => {
  const { summary, issues, staged } = await importText(`\uFEFF${HEADER}\n${csvRows(3)}\n`);
  expect(summary).toMatchObject({ status: 'loaded', rowsTotal: 3, rowsValid: 3, rowsInvalid: 0, errorRate: 0 });
  expect(issues).toEqual([]);
  expect(staged).toBe(3);
});

test('quoted commas, quoted line breaks and escaped quotes are values, not separators', async () => {
  const text = `${HEADER}\r\nQ1,"Shirt, blue",10.00,apparel,true,"{""size"":""M""}"\r\nQ2,"two\r\nlines",2,apparel,,\r\nQ3,"say ""hi""",3.5,misc,false,\r\n`;
  const { summary, staged } = await importText(text);
  expect(summary).toMatchObject({ status: 'loaded', rowsTotal: 3, rowsValid: 3 });
  expect(staged).toBe(3);
  const { rows } = await stores.postgres
    .pool()
    .query(`SELECT sku, name, price::text, active, attributes FROM ${stageTable(summary.importId)} ORDER BY sku`);
  expect(rows).toEqual([
    { sku: 'Q1', name: 'Shirt, blue', price: '10.00', active: true, attributes: { size: 'M' } },
    { sku: 'Q2', name: 'two\r\nlines', price: '2.00', active: true, attributes: {} },
    { sku: 'Q3', name: 'say "hi"', price: '3.50', active: false, attributes: {} },
  ]);
});

test('CRLF line ends are accepted like LF', async () => {
  const { summary } = await importText(`${HEADER}\r\n${csvRows(5).replace(/\n/g, '\r\n')}\r\n`);
  expect(summary).toMatchObject({ status: 'loaded', rowsTotal: 5, rowsValid: 5 });
});

test('an empty file is rejected with one report line saying what was expected', async () => {
  const { summary, issues } = await importText('');
  expect(summary).toMatchObject({ status: 'rejected', rowsTotal: 0, rejectionReason: 'the file is empty' });
  expect(issues).toEqual([
    { row: 1, line: 1, column: 'header', reason: 'the file is empty; expected a header: sku,name,price,category[,active][,attributes]', severity: 'error' },
  ]);
});

test('a header without rows is accepted as an import of nothing (the catalog stays as it is)', async () => {
  const { summary, issues } = await importText(`${HEADER}\r\n`);
  expect(summary).toMatchObject({ status: 'loaded', rowsTotal: 0, rowsValid: 0, errorRate: 0 });
  expect(issues).toEqual([]);
});

test('wrong headers reject the file: each unknown or missing column is reported on row 1', async () => {
  const wrong = await importText('sku,nome,preco,category\nA1,x,1,c\n');
  expect(wrong.summary.status).toBe('rejected');
  expect(wrong.summary.rejectionReason).toMatch(/^the header is not valid/);
  expect(wrong.issues.map((issue) => [issue.row, issue.column])).toEqual([
    [1, 'nome'],
    [1, 'preco'],
    [1, 'name'],
    [1, 'price'],
  ]);
  expect(wrong.staged).toBe(0);

  const missing = await importText('sku,name,category\nA1,x,c\n');
  expect(missing.summary.status).toBe('rejected');
  expect(missing.issues).toEqual([{ row: 1, line: 1, column: 'price', reason: 'required column "price" is missing', severity: 'error' }]);
});

test('duplicate skus: the last occurrence wins, earlier ones are warnings, not errors', async () => {
  const text = `${HEADER}\nD1,first,1,c,,\nD2,only,2,c,,\nD1,second,3,c,,\nD1,third,4,c,,\n`;
  const { summary, issues, catalogId, runId } = await importText(text);
  expect(summary).toMatchObject({ status: 'loaded', rowsTotal: 4, rowsValid: 4, rowsInvalid: 0, duplicates: 2, errorRate: 0 });
  expect(issues).toEqual([
    { row: 2, line: 2, column: 'sku', reason: 'duplicate sku D1: superseded by row 5 (the last occurrence wins)', severity: 'warning' },
    { row: 4, line: 4, column: 'sku', reason: 'duplicate sku D1: superseded by row 5 (the last occurrence wins)', severity: 'warning' },
  ]);
  // Applying it keeps the last row's values.
  const draft = await stores.activities.draftCatalogVersion({ catalogId, workflowId: 'test', runId, importId: summary.importId });
  await stores.activities.applyCatalogImport({ catalogId, importId: summary.importId, runId, version: draft.version });
  const { rows } = await stores.postgres.pool().query('SELECT sku, name, price::text FROM catalog_items WHERE catalog_id = $1 ORDER BY sku', [catalogId]);
  expect(rows).toEqual([
    { sku: 'D1', name: 'third', price: '4.00' },
    { sku: 'D2', name: 'only', price: '2.00' },
  ]);
  await stores.activities.compensateCatalogRun({ catalogId, runId, reason: 'test cleanup' });
});

test('bad prices under the error threshold: the import is accepted, the bad rows are dropped and reported', async () => {
  // 1 bad row of 200 = 0.5 % <= 1 %.
  const { summary, issues, staged } = await importText(`${HEADER}\n${csvRows(199)}\nBAD1,x,1.999,c,,\n`);
  expect(summary).toMatchObject({ status: 'loaded', rowsTotal: 200, rowsValid: 199, rowsInvalid: 1, errorRate: 0.005, errorThreshold: 0.01 });
  expect(staged).toBe(199);
  expect(issues).toEqual([{ row: 201, line: 201, column: 'price', reason: 'price must have at most 2 decimal places, got 1.999', severity: 'error' }]);
});

test('bad prices over the error threshold: the whole import is rejected and nothing is staged', async () => {
  const bad = ['B1,x,-1,c,,', 'B2,x,abc,c,,', 'B3,x,1,50,c', 'B4,x,,c,,'];
  const { summary, issues, staged } = await importText(`${HEADER}\n${csvRows(96)}\n${bad.join('\n')}\n`);
  expect(summary).toMatchObject({ status: 'rejected', rowsTotal: 100, rowsValid: 96, rowsInvalid: 4, errorRate: 0.04 });
  expect(summary.rejectionReason).toBe('4 of 100 rows are invalid (4%), above the threshold of 1%');
  expect(staged).toBe(0);
  expect(issues.map((issue) => [issue.row, issue.column, issue.reason])).toEqual([
    [98, 'price', 'price must be zero or more, got -1'],
    [99, 'price', 'price must be a number like 12.34, got "abc"'],
    [100, '*', 'expected 6 fields, found 5'],
    [101, 'price', 'price is required'],
  ]);
});

test('a row with broken quoting is reported on its row; a file that is not UTF-8 is rejected', async () => {
  const quoting = await importText(`${HEADER}\n${csvRows(199)}\nX1,"bro"ken,1,c,,\n`);
  expect(quoting.summary).toMatchObject({ status: 'loaded', rowsInvalid: 1 });
  expect(quoting.issues[0]).toMatchObject({ row: 201, column: '*', reason: expect.stringMatching(/^malformed CSV quoting/) });

  const latin1 = await importText(Buffer.concat([Buffer.from(`${HEADER}\nL1,Caf`), Buffer.from([0xe9]), Buffer.from(',1,c,,\n')]));
  expect(latin1.summary).toMatchObject({ status: 'rejected', rejectionReason: 'the file is not valid UTF-8' });
});

test('a retried import returns the finished summary instead of importing twice', async () => {
  const catalogId = uniqueCatalogId('retry');
  const { importId, sourceKey } = await putCsv(stores.objectStorage, catalogId, `${HEADER}\n${csvRows(10)}\n`);
  const input = { catalogId, importId, sourceKey, workflowId: 'test', runId: randomUUID() };
  const first = await stores.activities.importCatalogCsv(input);
  const second = await stores.activities.importCatalogCsv(input);
  expect(second).toEqual(first);
  expect(await stagedRows(importId)).toBe(10);
});

test('a 50 MB CSV imports with a V8 heap capped at 64 MB (bounded memory: the file never sits in memory)', async () => {
  const catalogId = uniqueCatalogId('big');
  const big = await putLargeCsv(stores.objectStorage, catalogId, 50 * 1024 * 1024);
  expect(big.size).toBeGreaterThanOrEqual(50 * 1024 * 1024);

  // A process of its own with a capped heap: the import's memory is measured apart from this test process,
  // whose heap holds every earlier test's garbage. Holding the 50 MB file (or its rows) would exceed the cap.
  const child = join(__dirname, '..', 'support', 'catalog-import-child.ts');
  const { stdout } = await execFileAsync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '--import', 'tsx', child, catalogId, big.importId, big.sourceKey], {
    env: { ...process.env, STORAGE_LOCAL_DIR: stores.config.STORAGE_LOCAL_DIR },
    maxBuffer: 1024 * 1024,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { summary: ImportSummary; startRssMb: number; peakRssMb: number };
  console.log(`50 MB import: ${big.rows} rows; child RSS ${result.startRssMb.toFixed(0)} MB at start, ${result.peakRssMb.toFixed(0)} MB peak`);
  expect(result.summary).toMatchObject({ status: 'loaded', rowsTotal: big.rows, rowsValid: big.rows, rowsInvalid: 0 });
  expect(await stagedRows(big.importId)).toBe(big.rows);
  // The heap cap is the bound; RSS (printed above) also counts off-heap buffers the collector has not freed yet,
  // so it varies with GC timing and is reported, not asserted.
  await dropStage(stores.postgres.pool(), big.importId);
}, 600_000);
