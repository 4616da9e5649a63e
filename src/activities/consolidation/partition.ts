/**
 * One partition of a day: the accounts in [from, to) that have entries in the run's snapshot, from the sums
 * the plan staged per account (consolidation_day_accounts; one pass over the day for all partitions, not one
 * scan of the day's entries per partition). In one
 * transaction it deletes the partition's rows for the day and inserts them anew, so a retried or re-run
 * partition replaces its rows and nothing is ever counted twice.
 *
 * Per account: credits, debits, net, entry count, and the closing balance = opening + net, where opening is
 * the closing of the account's latest row before the day, plus its entries on gap days after that row
 * (days never consolidated; see the plan). Sums are exact (bigint cents; an overflow fails loudly).
 */
import type { PartitionRange, PartitionResult } from '../../domain/consolidation/run';
import type { PostgresStore } from '../../stores/postgres';
import { heartbeatWhile } from './heartbeat';
import { inTransaction } from './sql';

export interface PartitionInput {
  dataRef: string;
  runId: string;
  range: PartitionRange;
  gapDays: string[];
  /** The plan staged the day's per-account sums (ConsolidationPlan.staged): read them, not the entries. */
  staged?: boolean;
}

/** The range condition on `column`, with its parameters numbered from `next`. */
function rangeCondition(column: string, range: PartitionRange, next: number): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (range.from !== undefined) {
    params.push(range.from);
    parts.push(`${column} >= $${next + params.length - 1}`);
  }
  if (range.to !== undefined) {
    params.push(range.to);
    parts.push(`${column} < $${next + params.length - 1}`);
  }
  return { sql: parts.map((part) => ` AND ${part}`).join(''), params };
}

// The day's flows per account of the range: from the plan's staged sums, or (a plan recorded before they
// existed) from the entries of the run's snapshot.
const STAGED_DAY = (range: string) => `
  SELECT s.account_id, s.credit_cents, s.debit_cents, s.entry_count
  FROM consolidation_day_accounts s
  WHERE s.data_ref = $1::date${range}`;
const ENTRIES_DAY = (range: string) => `
  SELECT e.account_id,
         coalesce(sum(e.amount_cents) FILTER (WHERE e.direction = 'credit'), 0) AS credit_cents,
         coalesce(sum(e.amount_cents) FILTER (WHERE e.direction = 'debit'), 0) AS debit_cents,
         count(*) AS entry_count
  FROM ledger_entries e
  JOIN consolidation_day_batches b ON b.data_ref = $1::date AND b.batch_id = e.batch_id
  WHERE e.data_ref = $1::date${range}
  GROUP BY e.account_id`;

function upsertSql(day: string, withGap: boolean): string {
  // $1 data_ref, $2 run_id, $3 gap days, then the range bounds.
  const gap = withGap
    ? `, gap AS (
  SELECT e.account_id,
         sum(CASE WHEN e.direction = 'credit' THEN e.amount_cents ELSE -e.amount_cents END) AS gap_cents
  FROM ledger_entries e JOIN carried c ON c.account_id = e.account_id
  WHERE e.data_ref = ANY($3::date[]) AND (c.previous_day IS NULL OR e.data_ref > c.previous_day)
  GROUP BY e.account_id
)`
    : `, gap AS (SELECT NULL::text AS account_id, 0::numeric AS gap_cents WHERE $3::date[] IS NULL)`;
  return `
WITH day AS (${day}
), carried AS (
  SELECT d.account_id, previous.data_ref AS previous_day, coalesce(previous.closing_cents, 0) AS previous_closing
  FROM day d
  LEFT JOIN LATERAL (
    SELECT data_ref, closing_cents FROM consolidation_daily_balances p
    WHERE p.account_id = d.account_id AND p.data_ref < $1::date
    ORDER BY p.data_ref DESC LIMIT 1
  ) previous ON true
)${gap}, balances AS (
  SELECT d.account_id, d.credit_cents, d.debit_cents, d.entry_count,
         c.previous_closing + coalesce(g.gap_cents, 0) AS opening_cents
  FROM day d JOIN carried c USING (account_id) LEFT JOIN gap g USING (account_id)
), inserted AS (
  INSERT INTO consolidation_daily_balances
    (data_ref, account_id, opening_cents, credit_cents, debit_cents, net_cents, closing_cents, entry_count, run_id)
  SELECT $1::date, account_id, opening_cents, credit_cents, debit_cents, credit_cents - debit_cents,
         opening_cents + credit_cents - debit_cents, entry_count, $2
  FROM balances
  RETURNING entry_count, credit_cents, debit_cents
)
SELECT count(*)::int AS accounts, coalesce(sum(entry_count), 0)::bigint::text AS entries,
       coalesce(sum(credit_cents), 0)::text AS credit_cents, coalesce(sum(debit_cents), 0)::text AS debit_cents
FROM inserted`;
}

export async function consolidatePartition(
  postgres: PostgresStore,
  statementTimeoutMs: number,
  input: PartitionInput,
): Promise<PartitionResult> {
  const { dataRef, runId, range, gapDays, staged } = input;
  return heartbeatWhile(
    () =>
      inTransaction(postgres, statementTimeoutMs, async (client) => {
        const deleteRange = rangeCondition('account_id', range, 2);
        await client.query(`DELETE FROM consolidation_daily_balances WHERE data_ref = $1${deleteRange.sql}`, [dataRef, ...deleteRange.params]);
        const upsertRange = rangeCondition(staged ? 's.account_id' : 'e.account_id', range, 4);
        const day = staged ? STAGED_DAY(upsertRange.sql) : ENTRIES_DAY(upsertRange.sql);
        const { rows } = await client.query<{ accounts: number; entries: string; credit_cents: string; debit_cents: string }>(
          upsertSql(day, gapDays.length > 0),
          [dataRef, runId, gapDays, ...upsertRange.params],
        );
        const row = rows[0]!;
        return { index: range.index, accounts: row.accounts, entries: Number(row.entries), creditCents: row.credit_cents, debitCents: row.debit_cents };
      }),
    () => ({ dataRef, partition: range.index }),
  );
}
