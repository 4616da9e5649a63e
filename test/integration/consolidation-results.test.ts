/**
 * The daily consolidation on the real servers, against an independent SQL computation: randomized ledgers of
 * several shapes (many accounts, one account, only debits, many decimals, an empty day, late entries in
 * batches that mix days), a skipped day, re-runs that must give identical results, and the Parquet export read
 * back with an independent reader, row for row: the files are written by DuckDB (native C++) and read here by
 * hyparquet (pure JavaScript), two implementations that share no code.
 */
import { createHash } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { consolidatePartition } from '../../src/activities/consolidation/partition';
import { planConsolidation } from '../../src/activities/consolidation/plan';
import { partitionRanges } from '../../src/workflows/consolidation/daily';
import { manifestKey } from '../../src/domain/consolidation/datalake';
import type { DatalakeManifest } from '../../src/domain/consolidation/run';
import {
  actualBalances,
  expectedBalances,
  freshDays,
  integer,
  pick,
  prng,
  seedLedger,
  uniqueTag,
  type SeedEntry,
} from '../support/consolidation-ledger';
import { startConsolidationHarness, type ConsolidationHarness } from '../support/consolidation-worker';

// Each test runs up to three consolidations; on a loaded 2-core machine one can take a minute.
jest.setTimeout(300_000);

let harness: ConsolidationHarness;
const pool = () => harness.stores.postgres.pool();

beforeAll(async () => {
  harness = await startConsolidationHarness('consolidation-results');
});
afterAll(async () => {
  await harness?.stop();
});

type Shape = 'many-accounts' | 'one-account' | 'only-debits' | 'many-decimals';

/** Random entries of one day for `accounts`, shaped as asked. */
function dayEntries(random: () => number, shape: Shape, dataRef: string, accounts: string[], count: number): SeedEntry[] {
  return Array.from({ length: count }, () => {
    const cents =
      shape === 'many-decimals'
        ? BigInt(integer(random, 1, 9_999_999)) * 1_000_000n + BigInt(integer(random, 0, 999_999)) // up to ~10^13 cents, any cents
        : BigInt(integer(random, 1, 500_000));
    return {
      accountId: shape === 'one-account' ? accounts[0]! : pick(random, accounts),
      amountCents: cents,
      direction: shape === 'only-debits' ? 'debit' : pick(random, ['credit', 'debit'] as const),
      dataRef,
    };
  });
}

/** Shuffled, so batches mix days (as late entries do) and accounts. */
function shuffle<T>(random: () => number, items: T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

async function expectDayMatches(dataRef: string, accounts: string[]): Promise<void> {
  const expected = await expectedBalances(pool(), dataRef, accounts);
  expect(await actualBalances(pool(), dataRef)).toEqual(expected);
  // The read model shows the same once refreshed.
  expect(await actualBalances(pool(), dataRef, 'reports_daily_balances')).toEqual(expected);
}

describe.each<[Shape, number]>([
  ['many-accounts', 11],
  ['one-account', 22],
  ['only-debits', 33],
  ['many-decimals', 44],
])('a randomized %s ledger (seed %i)', (shape, seed) => {
  test('three days (the middle one empty) equal the independent computation, with late entries in mixed batches', async () => {
    const random = prng(seed);
    const tag = uniqueTag(shape);
    const accounts = Array.from({ length: integer(random, 3, 25) }, (_, index) => `${tag}-${index}`);
    const [day1, day2, day3] = await freshDays(pool(), 3);
    // Day 1 and day 3 have entries, day 2 none; a few day-1 entries come late, in batches with day-3 entries.
    const entries1 = dayEntries(random, shape, day1!, accounts, integer(random, 40, 160));
    const entries3 = dayEntries(random, shape, day3!, accounts, integer(random, 40, 160));
    const late1 = dayEntries(random, shape, day1!, accounts, 7);
    await seedLedger(pool(), shuffle(random, entries1), { batchSize: integer(random, 5, 40), tag });
    await seedLedger(pool(), shuffle(random, [...entries3, ...late1]), { batchSize: integer(random, 5, 40), tag });

    for (const day of [day1!, day2!, day3!]) {
      const result = await harness.consolidate(day);
      expect(result.figures.balances).toMatchObject(result.figures.ledger);
      await expectDayMatches(day, accounts);
    }
    const empty = await actualBalances(pool(), day2!);
    expect(empty).toEqual([]);
    const day1Count = (await pool().query('SELECT sum(entry_count)::int AS n FROM consolidation_daily_balances WHERE data_ref = $1', [day1])).rows[0].n;
    expect(day1Count).toBe(entries1.length + late1.length);
  });
});

test('a day skipped in between still carries its entries into the next day\'s opening balances', async () => {
  const random = prng(55);
  const tag = uniqueTag('gap');
  const accounts = Array.from({ length: 6 }, (_, index) => `${tag}-${index}`);
  const [day1, day2, day3] = await freshDays(pool(), 3);
  await seedLedger(pool(), [
    ...dayEntries(random, 'many-accounts', day1!, accounts, 60),
    ...dayEntries(random, 'many-accounts', day2!, accounts, 60),
    ...dayEntries(random, 'many-accounts', day3!, accounts, 60),
  ]);
  await harness.consolidate(day1!);
  // day2 is never consolidated: day3's openings must still include it.
  const result = await harness.consolidate(day3!);
  expect(result.entries).toBe(60);
  await expectDayMatches(day3!, accounts);
});

test('re-running a day replaces its results: identical balances, figures and Parquet bytes, nothing counted twice', async () => {
  const random = prng(66);
  const tag = uniqueTag('rerun');
  const accounts = Array.from({ length: 9 }, (_, index) => `${tag}-${index}`);
  const [day] = await freshDays(pool(), 1);
  await seedLedger(pool(), dayEntries(random, 'many-accounts', day!, accounts, 150), { batchSize: 25 });

  const stagedRows = async () =>
    (await pool().query('SELECT count(*)::int AS n FROM consolidation_day_accounts WHERE data_ref = $1', [day])).rows[0].n;
  const first = await harness.consolidate(day!);
  // The plan's staged per-account sums are deleted once the run has recorded its end.
  expect(await stagedRows()).toBe(0);
  const balancesAfterFirst = await actualBalances(pool(), day!);
  const manifestAfterFirst = JSON.parse((await harness.stores.objectStorage.getBuffer(first.manifestKey)).toString()) as DatalakeManifest;
  const second = await harness.consolidate(day!, { partitions: 3 });

  expect(second.runId).not.toBe(first.runId);
  expect(await stagedRows()).toBe(0);
  expect(await actualBalances(pool(), day!)).toEqual(balancesAfterFirst);
  expect(balancesAfterFirst).toEqual(await expectedBalances(pool(), day!, accounts));
  expect(second.figures).toEqual(first.figures);
  expect({ accounts: second.accounts, entries: second.entries, credit: second.creditCents, debit: second.debitCents }).toEqual({
    accounts: first.accounts,
    entries: 150,
    credit: first.creditCents,
    debit: first.debitCents,
  });
  const manifest = JSON.parse((await harness.stores.objectStorage.getBuffer(second.manifestKey)).toString()) as DatalakeManifest;
  expect(manifest.tables).toEqual(manifestAfterFirst.tables);
  const { rows: runs } = await pool().query('SELECT status, entry_count::int FROM reports_runs WHERE data_ref = $1 ORDER BY started_at', [day]);
  expect(runs).toEqual([
    { status: 'succeeded', entry_count: 150 },
    { status: 'succeeded', entry_count: 150 },
  ]);
});

test('the Parquet files, read back with an independent reader, match the database row for row', async () => {
  const random = prng(77);
  const tag = uniqueTag('parquet');
  const accounts = Array.from({ length: 12 }, (_, index) => `${tag}-${index}`);
  const [day] = await freshDays(pool(), 1);
  await seedLedger(pool(), dayEntries(random, 'many-decimals', day!, accounts, 230), { batchSize: 30 });
  await pool().query(
    `UPDATE ledger_entries SET description = 'café ' || left(request_id::text, 4), metadata = jsonb_build_object('n', 1, 'tag', account_id)
     WHERE data_ref = $1 AND amount_cents % 3 = 0`,
    [day],
  );
  // Text the export's CSV hop must carry exactly: quotes, commas, newlines, a backslash, an empty string (not NULL).
  await pool().query(
    `UPDATE ledger_entries SET description = CASE WHEN amount_cents % 2 = 0 THEN E'linha 1\\nlinha "2", fim \\\\N' ELSE '' END,
            metadata = jsonb_build_object('nota', E'a,"b"\\n', 'valor', 1.50)
     WHERE data_ref = $1 AND amount_cents % 3 = 1`,
    [day],
  );
  const result = await harness.consolidate(day!);
  const storage = harness.stores.objectStorage;

  const manifest = JSON.parse((await storage.getBuffer(manifestKey(harness.config.CONSOLIDATION_DATALAKE_PREFIX, day!))).toString()) as DatalakeManifest;
  expect(result.manifestKey).toBe(manifestKey(harness.config.CONSOLIDATION_DATALAKE_PREFIX, day!));
  const read = async (table: string) => {
    const rows: Record<string, unknown>[] = [];
    for (const file of manifest.tables[table]!.files) {
      expect(file.key).toMatch(new RegExp(`^datalake/${table}/data_ref=${day}/part-\\d{4}\\.parquet$`));
      const bytes = await storage.getBuffer(file.key);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      const arrayBuffer = new Uint8Array(bytes).buffer;
      const part = await parquetReadObjects({
        file: arrayBuffer,
        // Exact values: microseconds and days as numbers, not JS Dates.
        parsers: { timestampFromMicroseconds: (micros: bigint) => micros, dateFromDays: (days: number) => days },
      });
      expect(part).toHaveLength(file.rows);
      rows.push(...part);
    }
    expect(rows).toHaveLength(manifest.tables[table]!.rows);
    return rows;
  };

  // 230 entries at 70 rows a part: 4 parts; 12 balances: 1.
  expect(manifest.tables.ledger_entries!.files).toHaveLength(4);
  const entries = await read('ledger_entries');
  const { rows: dbEntries } = await pool().query(
    `SELECT request_id::text, account_id, direction, amount_cents::text, (data_ref - date '1970-01-01') AS days, description, metadata,
            shard, batch_id, (extract(epoch FROM accepted_at) * 1000000)::bigint::text AS accepted_us,
            (extract(epoch FROM persisted_at) * 1000000)::bigint::text AS persisted_us
     FROM ledger_entries WHERE data_ref = $1 ORDER BY request_id`,
    [day],
  );
  expect(entries.map((row) => ({
    request_id: row.request_id,
    account_id: row.account_id,
    direction: row.direction,
    amount_cents: String(row.amount_cents),
    days: row.data_ref,
    description: row.description ?? null,
    metadata: row.metadata ?? null,
    shard: row.shard,
    batch_id: row.batch_id,
    accepted_us: String(row.accepted_at),
    persisted_us: String(row.persisted_at),
  }))).toEqual(dbEntries);
  expect(dbEntries.some((row) => row.description !== null)).toBe(true);
  expect(dbEntries.some((row) => row.description === '')).toBe(true);
  expect(dbEntries.some((row) => typeof row.description === 'string' && row.description.includes('\n'))).toBe(true);

  const balances = await read('daily_balances');
  const { rows: dbBalances } = await pool().query(
    `SELECT (data_ref - date '1970-01-01') AS days, account_id, opening_cents::text, credit_cents::text, debit_cents::text, net_cents::text,
            closing_cents::text, entry_count
     FROM consolidation_daily_balances WHERE data_ref = $1 ORDER BY account_id`,
    [day],
  );
  expect(balances.map((row) => ({
    days: row.data_ref,
    account_id: row.account_id,
    opening_cents: String(row.opening_cents),
    credit_cents: String(row.credit_cents),
    debit_cents: String(row.debit_cents),
    net_cents: String(row.net_cents),
    closing_cents: String(row.closing_cents),
    entry_count: row.entry_count,
  }))).toEqual(dbBalances);
});

test('partitions from the staged sums equal those from the entries (a plan recorded before the staging), retried too', async () => {
  const random = prng(77);
  const tag = uniqueTag('staged');
  const accounts = Array.from({ length: 12 }, (_, index) => `${tag}-${index}`);
  const [day1, day2] = await freshDays(pool(), 2);
  await seedLedger(pool(), shuffle(random, [
    ...dayEntries(random, 'many-accounts', day1!, accounts, 80),
    ...dayEntries(random, 'many-accounts', day2!, accounts, 120),
  ]), { batchSize: 15, tag });
  await harness.consolidate(day1!);

  const postgres = harness.stores.postgres;
  const plan = await planConsolidation(postgres, day2!, { partitions: 3, concurrency: 3, statementTimeoutMs: 60_000 });
  expect(plan.staged).toBe(true);
  const staged = (await pool().query(
    `SELECT account_id, credit_cents::text, debit_cents::text, entry_count::int FROM consolidation_day_accounts
     WHERE data_ref = $1 ORDER BY account_id`, [day2])).rows;
  const fromEntries = (await pool().query(
    `SELECT account_id, coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0)::text AS credit_cents,
            coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0)::text AS debit_cents, count(*)::int AS entry_count
     FROM ledger_entries WHERE data_ref = $1 GROUP BY account_id ORDER BY account_id`, [day2])).rows;
  expect(staged).toEqual(fromEntries);

  const consolidateAll = async (useStaged: boolean | undefined) => {
    const results = [];
    for (const range of partitionRanges(plan)) {
      results.push(await consolidatePartition(postgres, 60_000, { dataRef: day2!, runId: 'test', range, gapDays: plan.gapDays, staged: useStaged }));
    }
    return { results, balances: await actualBalances(pool(), day2!) };
  };
  const fromStaged = await consolidateAll(true);
  expect(fromStaged.balances).toEqual(await expectedBalances(pool(), day2!, accounts));
  // A retried partition replaces its rows; an older plan's partitions (no staged flag) read the entries.
  expect(await consolidateAll(true)).toEqual(fromStaged);
  expect(await consolidateAll(undefined)).toEqual(fromStaged);
  await pool().query('DELETE FROM consolidation_day_accounts WHERE data_ref = $1', [day2]);
});
