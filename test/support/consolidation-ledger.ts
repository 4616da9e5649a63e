/**
 * Ledgers for the consolidation tests: random (seeded) entries written straight into the ledger's persisted
 * state — `ledger_entries` plus one `ledger_batches` control row per batch, computed as the ledger's flush
 * computes it (docs in migrations/0100_ledger.sql) — and the independent SQL computation of what the
 * consolidation must produce.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { addDays } from '../../src/domain/consolidation/dates';

export interface SeedEntry {
  accountId: string;
  amountCents: bigint;
  direction: 'credit' | 'debit';
  dataRef: string;
}

/** A small deterministic PRNG (mulberry32): a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
export const integer = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** A unique tag for account ids, so one test's accounts never meet another's. */
export const uniqueTag = (name: string) => `${name}-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;

/**
 * A run of `days` consecutive dates no entry uses yet (with a margin either side), by default in the 1900s, so
 * tests never meet other tests' entries (the ledger's tests use today's dates) nor each other's. `within`
 * picks another span (Temporal schedules only know the years 2000-2100, so a schedule's test needs one there).
 */
export async function freshDays(
  pool: Pool,
  days: number,
  margin = 10,
  within: { from: string; spanDays: number } = { from: '1901-01-01', spanDays: 36_000 },
): Promise<string[]> {
  for (;;) {
    const start = addDays(within.from, Math.floor(Math.random() * within.spanDays));
    const { rows } = await pool.query<{ used: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE data_ref BETWEEN $1::date AND $2::date)
           OR EXISTS (SELECT 1 FROM reports_runs WHERE data_ref BETWEEN $1::date AND $2::date) AS used`,
      [addDays(start, -margin), addDays(start, days + margin)],
    );
    if (!rows[0]!.used) return Array.from({ length: days }, (_, index) => addDays(start, index));
  }
}

/**
 * Writes `entries` as the ledger would have: in batches of `batchSize` in the given order (so a batch can
 * hold several days, as late entries do), each with its control row. Returns the batch ids.
 */
export async function seedLedger(pool: Pool, entries: SeedEntry[], options: { batchSize?: number; tag?: string } = {}): Promise<string[]> {
  const batchSize = options.batchSize ?? 50;
  const batchIds: string[] = [];
  for (let start = 0; start < entries.length; start += batchSize) {
    const batch = entries.slice(start, start + batchSize);
    const batchId = `t-consolidation-${options.tag ?? 'seed'}:${randomUUID()}:${batchIds.length}`;
    batchIds.push(batchId);
    const requestIds = batch.map(() => randomUUID());
    await pool.query(
      `WITH inserted AS (
         INSERT INTO ledger_entries (request_id, account_id, amount_cents, direction, data_ref, content_hash, shard, batch_id, accepted_at)
         SELECT request_id, account_id, amount_cents, direction, data_ref, md5(request_id::text), 0, $1, now()
         FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::date[]) AS t(request_id, account_id, amount_cents, direction, data_ref)
         RETURNING request_id, amount_cents, direction
       )
       INSERT INTO ledger_batches (batch_id, shard, received_count, entry_count, amount_sum_cents, credit_sum_cents, debit_sum_cents, checksum)
       SELECT $1, 0, count(*), count(*), coalesce(sum(amount_cents), 0),
              coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0),
              coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0),
              md5(coalesce(string_agg(request_id::text || ':' || direction || ':' || amount_cents::text, ',' ORDER BY request_id), ''))
       FROM inserted`,
      [
        batchId,
        requestIds,
        batch.map((entry) => entry.accountId),
        batch.map((entry) => entry.amountCents.toString()),
        batch.map((entry) => entry.direction),
        batch.map((entry) => entry.dataRef),
      ],
    );
  }
  return batchIds;
}

export interface ExpectedBalance {
  account_id: string;
  credit_cents: string;
  debit_cents: string;
  net_cents: string;
  entry_count: number;
  closing_cents: string;
  opening_cents: string;
}

/**
 * The independent computation: for each account with entries on the day, the day's flows, and the closing
 * balance as the signed sum of ALL its entries up to and including the day (no carrying, no partitions).
 */
export async function expectedBalances(pool: Pool, dataRef: string, accountIds: string[]): Promise<ExpectedBalance[]> {
  const { rows } = await pool.query<ExpectedBalance>(
    `SELECT account_id,
            coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit' AND data_ref = $1::date), 0)::text AS credit_cents,
            coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit' AND data_ref = $1::date), 0)::text AS debit_cents,
            coalesce(sum(CASE direction WHEN 'credit' THEN amount_cents ELSE -amount_cents END) FILTER (WHERE data_ref = $1::date), 0)::text AS net_cents,
            (count(*) FILTER (WHERE data_ref = $1::date))::int AS entry_count,
            sum(CASE direction WHEN 'credit' THEN amount_cents ELSE -amount_cents END)::text AS closing_cents,
            coalesce(sum(CASE direction WHEN 'credit' THEN amount_cents ELSE -amount_cents END) FILTER (WHERE data_ref < $1::date), 0)::text AS opening_cents
     FROM ledger_entries
     WHERE account_id = ANY($2::text[]) AND data_ref <= $1::date
     GROUP BY account_id
     HAVING count(*) FILTER (WHERE data_ref = $1::date) > 0
     ORDER BY account_id`,
    [dataRef, accountIds],
  );
  return rows;
}

/** What the consolidation wrote for the day (the table, or a `reports_*` view with the same columns). */
export async function actualBalances(pool: Pool, dataRef: string, source = 'consolidation_daily_balances'): Promise<ExpectedBalance[]> {
  const { rows } = await pool.query<ExpectedBalance>(
    `SELECT account_id, credit_cents::text, debit_cents::text, net_cents::text, entry_count, closing_cents::text, opening_cents::text
     FROM ${source} WHERE data_ref = $1::date ORDER BY account_id`,
    [dataRef],
  );
  return rows;
}
