/** The consolidation's pure parts: dates, partition ranges, the concurrency limit, the reconciliation verdict, the Parquet encoder, the binary COPY parser. */
import { parquetReadObjects, parquetSchema, parquetMetadata } from 'hyparquet';
import { BinaryCopyParser, CopyFlow, type BinaryType } from '../../src/activities/consolidation/copy-out';
import { createParquetEncoder } from '../../src/activities/consolidation/parquet-writer';
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

test('the Parquet encoder writes exact types an independent reader reads back', async () => {
  const encoder = createParquetEncoder({ rowGroupSize: 2 });
  const bytes = await encoder.encode([
    { name: 'id', type: 'STRING', nullable: false, values: ['a', 'ção', 'c'] },
    { name: 'uuid', type: 'UUID', nullable: false, shape: 'distinct', values: ['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90ae7', '00000000-0000-4000-8000-000000000001'] },
    { name: 'cents', type: 'INT64', nullable: false, shape: 'distinct', values: [9_007_199_254_740_993n, -1n, 0n] },
    { name: 'day', type: 'DATE', nullable: false, values: ['1970-01-02', '2026-01-15', '1901-12-31'] },
    { name: 'at', type: 'TIMESTAMP_MICROS', nullable: false, shape: 'increasing', values: [1_700_000_000_123_456n, 0n, 1n] },
    { name: 'count', type: 'INT32', nullable: false, values: [1, 2, 3] },
    { name: 'note', type: 'STRING', nullable: true, values: [null, 'x', null] },
    { name: 'meta', type: 'JSON', nullable: true, values: [{ a: [1, true] }, null, 'text'] },
  ]);
  const file = new Uint8Array(bytes).buffer;
  const metadata = parquetMetadata(file);
  expect(Number(metadata.num_rows)).toBe(3);
  expect(metadata.row_groups).toHaveLength(2);
  expect(parquetSchema(metadata).children.map((child) => child.element.name)).toEqual(['id', 'uuid', 'cents', 'day', 'at', 'count', 'note', 'meta']);
  const rows = await parquetReadObjects({
    file,
    parsers: { timestampFromMicroseconds: (micros: bigint) => micros, dateFromDays: (days: number) => days },
  });
  expect(rows).toEqual([
    { id: 'a', uuid: '0f8fad5b-d9cb-469f-a165-70867728950e', cents: 9_007_199_254_740_993n, day: 1, at: 1_700_000_000_123_456n, count: 1, note: null, meta: { a: [1, true] } },
    { id: 'ção', uuid: '7c9e6679-7425-40de-944b-e07fc1f90ae7', cents: -1n, day: 20468, at: 0n, count: 2, note: 'x', meta: null },
    { id: 'c', uuid: '00000000-0000-4000-8000-000000000001', cents: 0n, day: -24838, at: 1n, count: 3, note: null, meta: 'text' },
  ]);
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

test('the binary COPY parser decodes rows split at any byte, NULLs included, and needs the trailer', () => {
  const field = (bytes: Buffer | null) => {
    if (bytes === null) return Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const int8 = (value: bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(value);
    return buffer;
  };
  const int4 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32BE(value);
    return buffer;
  };
  const row = (...fields: (Buffer | null)[]) => Buffer.concat([Buffer.from([0, fields.length]), ...fields.map(field)]);
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int4(0), int4(0)]);
  const uuid = Buffer.from('0f8fad5bd9cb469fa16570867728950e', 'hex');
  const stream = Buffer.concat([
    header,
    row(uuid, Buffer.from('ção'), int8(-5n), int4(9131), int8(0n), Buffer.from('\x01{"a":1}')),
    row(uuid, null, int8(9_007_199_254_740_993n), int4(-10957), int8(1_000_001n), null),
    Buffer.from([0xff, 0xff]),
  ]);
  const types: BinaryType[] = ['uuid', 'text', 'int8', 'date', 'timestamptz', 'jsonb'];
  const expected = [
    [new Uint8Array(uuid), 'ção', -5n, 20088, 946_684_800_000_000n, { a: 1 }],
    [new Uint8Array(uuid), null, 9_007_199_254_740_993n, 0, 946_684_801_000_001n, null],
  ];
  for (const size of [1, 3, 7, stream.length]) {
    const rows: unknown[][] = [];
    const parser = new BinaryCopyParser(types, (values) => rows.push(values));
    for (let offset = 0; offset < stream.length; offset += size) parser.push(stream.subarray(offset, offset + size));
    expect(rows).toEqual(expected);
    expect(parser.ended).toBe(true);
  }
  const truncated = new BinaryCopyParser(types, () => undefined);
  truncated.push(stream.subarray(0, stream.length - 2));
  expect(truncated.ended).toBe(false);
});

test('Parquet encoding runs off the event loop: timers fire while a large part encodes', async () => {
  const encoder = createParquetEncoder();
  const rows = 200_000;
  let done = false;
  let ticksWhileEncoding = 0;
  const ticker = setInterval(() => {
    if (!done) ticksWhileEncoding += 1;
  }, 1);
  const immediate = new Promise<boolean>((resolve) => setImmediate(() => resolve(done)));
  const bytes = await encoder
    .encode([
      { name: 'id', type: 'STRING', nullable: false, shape: 'distinct', values: Array.from({ length: rows }, (_, index) => `account-${index}`) },
      { name: 'cents', type: 'INT64', nullable: false, shape: 'distinct', values: Array.from({ length: rows }, (_, index) => BigInt(index) * 7n) },
    ])
    .finally(() => {
      done = true;
      clearInterval(ticker);
    });
  // Synchronous encoding would have finished before the event loop turned even once.
  expect(await immediate).toBe(false);
  expect(ticksWhileEncoding).toBeGreaterThan(0);
  expect(Number(parquetMetadata(new Uint8Array(bytes).buffer).num_rows)).toBe(rows);
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
