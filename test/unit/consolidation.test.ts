/**
 * The consolidation's pure parts: dates, partition ranges, the concurrency limit, the reconciliation verdict,
 * the COPY flow control and its cutting into part files, and the Parquet writer (DuckDB) fed PostgreSQL's CSV. The Parquet files are read back
 * with hyparquet, a pure-JavaScript reader that shares no code with the writer: an independent check.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { PoolClient } from 'pg';
import { CopyFlow, copyOutToCsvParts, type CsvPart } from '../../src/activities/consolidation/copy-out';
import { openParquetPartWriter, type ParquetColumn, type ParquetPartWriter } from '../../src/activities/consolidation/parquet-writer';
import { addDays, dateRange, daysBetween } from '../../src/domain/consolidation/dates';
import { manifestKey, partKey } from '../../src/domain/consolidation/datalake';
import { reconciliationMismatches } from '../../src/domain/consolidation/reconciliation';
import type { ReconciliationFigures } from '../../src/domain/consolidation/run';
import { partitionRanges } from '../../src/workflows/consolidation/daily';
import { runLimited } from '../../src/workflows/consolidation/limited';
import { scheduleDefinitions } from '../../src/workers/schedules';
import { validateDefinitions } from '../../src/workers/schedules/apply';

test('date arithmetic crosses months, leap days and years', () => {
  expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
  expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  expect(dateRange('2024-02-27', '2024-03-01')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  expect(dateRange('2024-03-01', '2024-02-27')).toEqual([]);
});

test('the data lake layout is Hive-style, parts numbered with four digits', () => {
  expect(partKey('datalake', 'ledger_entries', '2026-01-15', 7)).toBe('datalake/ledger_entries/data_ref=2026-01-15/part-0007.parquet');
  expect(manifestKey('datalake', '2026-01-15')).toBe('datalake/_manifests/data_ref=2026-01-15.json');
});

test('P-1 boundaries make P contiguous ranges covering every account id', () => {
  expect(partitionRanges({ boundaries: [] })).toEqual([{ index: 0, from: undefined, to: undefined }]);
  expect(partitionRanges({ boundaries: ['f', 'p'] })).toEqual([
    { index: 0, from: undefined, to: 'f' },
    { index: 1, from: 'f', to: 'p' },
    { index: 2, from: 'p', to: undefined },
  ]);
});

test('runLimited keeps at most `limit` in flight, keeps order, and stops starting after a failure', async () => {
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const work = async (item: number) => {
    started.push(item);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5 + (item % 3) * 5));
    inFlight -= 1;
    if (item === 4) throw new Error('item 4 failed');
    return item * 10;
  };
  expect(await runLimited([0, 1, 2, 3, 5, 6, 7], 3, work)).toEqual([0, 10, 20, 30, 50, 60, 70]);
  expect(peak).toBe(3);
  started.length = 0;
  await expect(runLimited([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2, work)).rejects.toThrow('item 4 failed');
  expect(started).not.toContain(9);
});

const agreeing = (): ReconciliationFigures => ({
  dataRef: '2026-01-15',
  ledger: { entries: 10, creditCents: '1000', debitCents: '300' },
  balances: { entries: 10, creditCents: '1000', debitCents: '300', accounts: 4, badRows: 0 },
  control: { entries: 12, creditCents: '1100', debitCents: '300', batches: 2, missingBatches: 0, checksumMismatches: [] },
  controlEntries: { entries: 12, creditCents: '1100', debitCents: '300' },
  snapshot: { entries: 10, creditCents: '1000', debitCents: '300' },
  exported: { entries: 10, balances: 4 },
  lateEntries: 0,
});

test('the reconciliation agrees when every figure does, and names both figures of each disagreement', () => {
  expect(reconciliationMismatches(agreeing())).toEqual([]);
  const figures = agreeing();
  figures.balances.debitCents = '301';
  figures.control.creditCents = '1099';
  figures.control.missingBatches = 1;
  figures.exported.balances = 3;
  // Late entries are reported, not a mismatch: the next run takes them.
  figures.lateEntries = 5;
  expect(reconciliationMismatches(figures)).toEqual([
    'entries vs balances: ledger_entries debits 300 cents, balances 301',
    'control table: ledger_batches credits 1099 cents, the entries of those batches 1100',
    'control table: 1 batches of the day have no ledger_batches row',
    'parquet: 3 balance rows exported, balances has 4',
  ]);
});

/** A folder of the test's own for the writer's CSV and parts. */
function workDir(): string {
  const directory = mkdtempSync(join(tmpdir(), 'fluxo-parquet-test-'));
  directories.push(directory);
  return directory;
}
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const readPart = (path: string) => {
  const file = new Uint8Array(readFileSync(path)).buffer;
  return {
    metadata: parquetMetadata(file),
    rows: parquetReadObjects({
      file,
      // Exact values: microseconds and days as numbers, not JS Dates.
      parsers: { timestampFromMicroseconds: (micros: bigint) => micros, dateFromDays: (days: number) => days },
    }),
  };
};

/** Opens a writer for the test, closed when the test ends. */
const writers: ParquetPartWriter[] = [];
afterEach(() => {
  for (const writer of writers.splice(0)) writer.close();
});
async function partWriter(columns: ParquetColumn[], directory: string): Promise<ParquetPartWriter> {
  const writer = await openParquetPartWriter(columns, directory);
  writers.push(writer);
  return writer;
}

test('the Parquet writer reads PostgreSQL\'s CSV exactly and keeps its order, read back by an independent reader', async () => {
  const directory = workDir();
  const csvPath = join(directory, 'rows.csv');
  // As `COPY ... TO STDOUT (FORMAT csv)` prints it with TimeZone UTC and DateStyle ISO: NULL is an empty
  // unquoted field, the empty string "", quotes doubled, newlines kept inside quotes. The rows are in no sorted
  // order: the part keeps the file's order (PostgreSQL's ORDER BY is what orders the files).
  writeFileSync(
    csvPath,
    [
      '7c9e6679-7425-40de-944b-e07fc1f90ae7,ção,-1,2026-01-15,1970-01-01 00:00:00+00,2,"",,"{""a"": [1, true], ""b"": ""x,\\""y\\""\\n""}"',
      '0f8fad5b-d9cb-469f-a165-70867728950e,a,9007199254740993,1970-01-02,2023-11-14 22:13:20.123456+00,1,"line 1\nline ""2"", end",x,',
      'ffffffff-ffff-4fff-bfff-ffffffffffff,"c,d",0,1901-12-31,1969-12-31 23:59:59.999999+00,3,\\N,,"""text"""',
      '00000000-0000-4000-8000-000000000001,b,-9223372036854775808,0001-01-01,2262-04-11 23:47:16.854775+00,4,,y,null',
      '',
    ].join('\n'),
  );
  const columns: ParquetColumn[] = [
    { name: 'uuid', type: 'UUID', nullable: false },
    { name: 'id', type: 'STRING', nullable: false },
    { name: 'cents', type: 'INT64', nullable: false },
    { name: 'day', type: 'DATE', nullable: false },
    { name: 'at', type: 'TIMESTAMP_MICROS', nullable: false },
    { name: 'count', type: 'INT32', nullable: false },
    { name: 'note', type: 'STRING', nullable: true },
    { name: 'other', type: 'STRING', nullable: true },
    { name: 'meta', type: 'JSON', nullable: true },
  ];
  const writer = await partWriter(columns, directory);
  const partPath = join(directory, 'part-0.parquet');
  expect(await writer.writePart(csvPath, partPath)).toBe(4);

  const part = readPart(partPath);
  expect(Number(part.metadata.num_rows)).toBe(4);
  expect(parquetSchema(part.metadata).children.map((child) => child.element.name)).toEqual(columns.map((column) => column.name));
  expect(await part.rows).toEqual([
    { uuid: '7c9e6679-7425-40de-944b-e07fc1f90ae7', id: 'ção', cents: -1n, day: 20_468, at: 0n, count: 2, note: '', other: null, meta: { a: [1, true], b: 'x,"y"\n' } },
    { uuid: '0f8fad5b-d9cb-469f-a165-70867728950e', id: 'a', cents: 9_007_199_254_740_993n, day: 1, at: 1_700_000_000_123_456n, count: 1, note: 'line 1\nline "2", end', other: 'x', meta: null },
    { uuid: 'ffffffff-ffff-4fff-bfff-ffffffffffff', id: 'c,d', cents: 0n, day: -24_838, at: -1n, count: 3, note: '\\N', other: null, meta: 'text' },
    { uuid: '00000000-0000-4000-8000-000000000001', id: 'b', cents: -9_223_372_036_854_775_808n, day: -719_162, at: 9_223_372_036_854_775n, count: 4, note: null, other: 'y', meta: null },
  ]);

  // The same rows give the same bytes (the re-run's files are identical), also from another writer.
  const again = join(workDir(), 'part-0.parquet');
  await (await partWriter(columns, directory)).writePart(csvPath, again);
  expect(readFileSync(again)).toEqual(readFileSync(partPath));
});

test('the Parquet writer refuses a NULL in a column that is not nullable', async () => {
  const directory = workDir();
  const csvPath = join(directory, 'rows.csv');
  writeFileSync(csvPath, 'a,1\n,2\n');
  const columns: ParquetColumn[] = [
    { name: 'id', type: 'STRING', nullable: false },
    { name: 'count', type: 'INT32', nullable: false },
  ];
  const writer = await partWriter(columns, directory);
  await expect(writer.writePart(csvPath, join(directory, 'part-0.parquet'))).rejects.toThrow(/NULL in non-nullable column id/);
  // The writer stays usable after a failed part.
  writeFileSync(csvPath, 'a,1\nb,2\n');
  await expect(writer.writePart(csvPath, join(directory, 'part-1.parquet'))).resolves.toBe(2);
});

/**
 * A stand-in for node-pg's client: runs `COPY` submittables by feeding them the messages a server sends, one
 * CopyData message per row, then the command tag.
 */
function fakeCopyClient(rows: string[]): PoolClient {
  return {
    query(submittable: unknown) {
      if (typeof submittable === 'string') return Promise.resolve({ rows: [] });
      const copy = submittable as {
        submit(connection: { query(text: string): void }): void;
        handleCopyData(message: { chunk: Buffer }): void;
        handleCommandComplete(message: { text: string }): void;
        handleReadyForQuery(): void;
      };
      copy.submit({ query: () => undefined });
      setImmediate(() => {
        // The connection reuses its buffer: the rows must be copied out of it before the next message.
        const reused = Buffer.alloc(64);
        for (const row of rows) {
          reused.fill(0);
          const length = reused.write(row);
          copy.handleCopyData({ chunk: reused.subarray(0, length) });
        }
        copy.handleCommandComplete({ text: `COPY ${rows.length}` });
        copy.handleReadyForQuery();
      });
      return undefined;
    },
  } as unknown as PoolClient;
}

test('a COPY is cut into files of N rows at row boundaries, each handed on once complete, none for no rows', async () => {
  const directory = workDir();
  // A quoted newline inside a row: rows are counted by message, not by line.
  const rows = Array.from({ length: 7 }, (_, index) => (index === 3 ? `${index},"two\nlines"\n` : `${index},x\n`));
  const parts: CsvPart[] = [];
  const copied = await copyOutToCsvParts(fakeCopyClient(rows), 'SELECT 1', {
    rowsPerPart: 3,
    pathOf: (index) => join(directory, `rows-${index}.csv`),
    onPart: (part) => parts.push(part),
  });
  expect(copied).toBe(7);
  expect(parts.map(({ index, rows: count }) => ({ index, rows: count }))).toEqual([
    { index: 0, rows: 3 },
    { index: 1, rows: 3 },
    { index: 2, rows: 1 },
  ]);
  expect(parts.map((part) => readFileSync(part.path, 'utf8'))).toEqual([rows.slice(0, 3).join(''), rows.slice(3, 6).join(''), rows[6]]);

  const none: CsvPart[] = [];
  await expect(copyOutToCsvParts(fakeCopyClient([]), 'SELECT 1', { rowsPerPart: 3, pathOf: (index) => join(directory, `none-${index}.csv`), onPart: (part) => none.push(part) })).resolves.toBe(0);
  expect(none).toEqual([]);
});

test('the consolidation schedule is in the registry and the registry is valid', () => {
  expect(() => validateDefinitions(scheduleDefinitions)).not.toThrow();
  expect(scheduleDefinitions.find((definition) => definition.id === 'consolidacao-diaria')).toMatchObject({
    spec: { cronExpressions: ['0 18 * * *'], timezone: 'America/Sao_Paulo' },
    workflowType: 'consolidationScheduledWorkflow',
    taskQueue: 'reports',
    overlap: 'SKIP',
  });
});

test('Parquet writing runs off the event loop: timers fire while a large CSV is written', async () => {
  const directory = workDir();
  const csvPath = join(directory, 'rows.csv');
  const rows = 300_000;
  writeFileSync(csvPath, Array.from({ length: rows }, (_, index) => `account-${(index * 7919) % rows},${BigInt(index) * 7n}\n`).join(''));
  const writer = await partWriter(
    [
      { name: 'id', type: 'STRING', nullable: false },
      { name: 'cents', type: 'INT64', nullable: false },
    ],
    directory,
  );
  let done = false;
  let ticksWhileWriting = 0;
  const ticker = setInterval(() => {
    if (!done) ticksWhileWriting += 1;
  }, 1);
  const partPath = join(directory, 'part-0.parquet');
  const written = await writer.writePart(csvPath, partPath).finally(() => {
    done = true;
    clearInterval(ticker);
  });
  expect(ticksWhileWriting).toBeGreaterThan(0);
  expect(written).toBe(rows);
  expect(Number(parquetMetadata(new Uint8Array(readFileSync(partPath)).buffer).num_rows)).toBe(rows);
});

test('a paused COPY flow pauses the socket, also when attached later, and ending it always resumes', () => {
  const calls: string[] = [];
  const stream = { pause: () => calls.push('pause'), resume: () => calls.push('resume') };
  const flow = new CopyFlow();
  flow.pause();
  flow.attach(stream);
  flow.pause();
  flow.resume();
  flow.pause();
  flow.detach();
  expect(calls).toEqual(['pause', 'resume', 'pause', 'resume']);
  flow.resume();
  expect(calls).toHaveLength(4);
});
