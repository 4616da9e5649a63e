/**
 * The plan step: fixes what the run consolidates, in one REPEATABLE READ transaction (one view of the ledger):
 *
 * - the snapshot: the ledger batches holding the day's entries, with the day's part of each, replacing the
 *   previous run's (consolidation_day_batches). Every later step reads the day's entries through it, so an
 *   entry committed meanwhile (it comes in a new batch) is left, consistently, to the next run;
 * - the staged sums: per account, the day's credits, debits and entry count of the snapshot
 *   (consolidation_day_accounts, replacing the previous run's), which the partitions consolidate;
 * - the partitions: P-1 account ids splitting the day's accounts into ranges of about equal size;
 * - the gap days: earlier days with entries and no succeeded run (see ConsolidationPlan.gapDays).
 */
import type { PoolClient } from 'pg';
import type { ConsolidationPlan } from '../../domain/consolidation/run';
import type { PostgresStore } from '../../stores/postgres';
import { heartbeatWhile } from './heartbeat';
import { inTransaction } from './sql';

export interface PlanSettings {
  partitions: number;
  concurrency: number;
  statementTimeoutMs: number;
}

// One pass over the day's entries, grouped two ways at once (grouping sets): by batch, the snapshot; by
// account, the staged sums the partitions build the balances from (consolidation_day_accounts). Both come
// from the same view of the ledger, so the staged sums are exactly the day's entries of the snapshot batches.
const SNAPSHOT_SQL = `
WITH grouped AS (
  SELECT batch_id, account_id, GROUPING(batch_id) AS by_account, count(*) AS entry_count,
         coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0) AS credit_cents,
         coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0) AS debit_cents
  FROM ledger_entries WHERE data_ref = $1::date
  GROUP BY GROUPING SETS ((batch_id), (account_id))
), snapshot AS (
  INSERT INTO consolidation_day_batches (data_ref, batch_id, day_entry_count, day_credit_cents, day_debit_cents)
  SELECT $1::date, batch_id, entry_count, credit_cents, debit_cents FROM grouped WHERE by_account = 0
  RETURNING day_entry_count
), staged AS (
  INSERT INTO consolidation_day_accounts (data_ref, account_id, credit_cents, debit_cents, entry_count)
  SELECT $1::date, account_id, credit_cents, debit_cents, entry_count FROM grouped WHERE by_account = 1
)
SELECT count(*)::int AS batches, coalesce(sum(day_entry_count), 0)::bigint::text AS entries FROM snapshot`;

// The first account id of tiles 2..P of the day's distinct accounts (the staged ones): the lower bounds of
// partitions 1..P-1.
const BOUNDARIES_SQL = `
SELECT min(account_id) AS boundary
FROM (SELECT account_id, ntile($2::int) OVER (ORDER BY account_id) AS tile
      FROM consolidation_day_accounts WHERE data_ref = $1::date) tiled
GROUP BY tile HAVING tile > 1
ORDER BY tile`;

// Distinct earlier days present in the ledger, by a loose index scan (one probe of the data_ref index per
// day rather than a scan of every entry), less the days that have a succeeded run.
const GAP_DAYS_SQL = `
WITH RECURSIVE days(day) AS (
  SELECT min(data_ref) FROM ledger_entries WHERE data_ref < $1::date
  UNION ALL
  SELECT (SELECT min(data_ref) FROM ledger_entries WHERE data_ref > days.day AND data_ref < $1::date)
  FROM days WHERE days.day IS NOT NULL
)
SELECT day::text AS day FROM days
WHERE day IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM reports_runs r WHERE r.data_ref = days.day AND r.status = 'succeeded')
ORDER BY day`;

async function plan(client: PoolClient, dataRef: string, settings: PlanSettings): Promise<ConsolidationPlan> {
  await client.query('DELETE FROM consolidation_day_batches WHERE data_ref = $1', [dataRef]);
  await client.query('DELETE FROM consolidation_day_accounts WHERE data_ref = $1', [dataRef]);
  const snapshot = await client.query<{ batches: number; entries: string }>(SNAPSHOT_SQL, [dataRef]);
  const boundaries = await client.query<{ boundary: string }>(BOUNDARIES_SQL, [dataRef, settings.partitions]);
  const gapDays = await client.query<{ day: string }>(GAP_DAYS_SQL, [dataRef]);
  const row = snapshot.rows[0]!;
  return {
    // Fewer distinct accounts than partitions: one partition per account (an empty day: one, empty).
    partitions: boundaries.rows.length + 1,
    concurrency: settings.concurrency,
    boundaries: boundaries.rows.map((boundary) => boundary.boundary),
    gapDays: gapDays.rows.map((gap) => gap.day),
    batches: row.batches,
    entries: Number(row.entries),
    staged: true,
  };
}

export function planConsolidation(postgres: PostgresStore, dataRef: string, settings: PlanSettings): Promise<ConsolidationPlan> {
  return heartbeatWhile(
    () => inTransaction(postgres, settings.statementTimeoutMs, (client) => plan(client, dataRef, settings), 'REPEATABLE READ'),
    () => ({ dataRef, step: 'plan' }),
  );
}
