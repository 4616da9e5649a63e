/**
 * The reconciliation step: gathers the database's figures (one REPEATABLE READ transaction, so they describe
 * one state); with the Parquet row counts they must all agree, or the run fails with all of them — never a
 * silent success. What is compared and why: src/domain/consolidation/reconciliation.ts, docs/consolidation.md.
 * The figures do not change once the day's balances are written (the snapshot fixes the entries), so the
 * workflow gathers them while the export runs.
 */
import type { PoolClient } from 'pg';
import { assertReconciled } from '../../domain/consolidation/reconciliation';
import type { ReconciliationFigures, Totals } from '../../domain/consolidation/run';
import type { PostgresStore } from '../../stores/postgres';
import { heartbeatWhile } from './heartbeat';
import { inTransaction } from './sql';

export interface ReconcileInput {
  dataRef: string;
  exported: { entries: number; balances: number };
}

interface TotalsRow {
  entries: string;
  credit_cents: string;
  debit_cents: string;
}

const totals = (row: TotalsRow): Totals => ({ entries: Number(row.entries), creditCents: row.credit_cents, debitCents: row.debit_cents });

const SUMS = `count(*)::text AS entries,
  coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0)::text AS credit_cents,
  coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0)::text AS debit_cents`;

// of_day: the day's own entries (the ledger's figures), as against other days' entries of mixed batches.
const SNAPSHOT_ENTRIES = `
  SELECT e.batch_id, e.request_id, e.direction, e.amount_cents, true AS of_day
  FROM ledger_entries e
  JOIN consolidation_day_batches b ON b.data_ref = $1::date AND b.batch_id = e.batch_id
  WHERE e.data_ref = $1::date`;

const DAY_SUMS = `count(*) FILTER (WHERE of_day) AS day_entries,
  coalesce(sum(amount_cents) FILTER (WHERE of_day AND direction = 'credit'), 0) AS day_credit_cents,
  coalesce(sum(amount_cents) FILTER (WHERE of_day AND direction = 'debit'), 0) AS day_debit_cents`;

/** work_mem of the figures' transaction. */
const SORT_MEMORY = '256MB';

export type DatabaseFigures = Omit<ReconciliationFigures, 'exported'>;

async function gather(client: PoolClient, dataRef: string): Promise<DatabaseFigures> {
  const one = async <T>(sql: string, params: unknown[] = [dataRef]) => (await client.query(sql, params)).rows[0] as T;

  // The checksums below sort a million entries by batch: in memory, not in 4 MB runs on disk.
  await client.query(`SET LOCAL work_mem = '${SORT_MEMORY}'`);
  const everything = await one<{ entries: string }>('SELECT count(*)::text AS entries FROM ledger_entries WHERE data_ref = $1::date');
  const balances = await one<TotalsRow & { accounts: number; bad_rows: number }>(
    `SELECT count(*)::int AS accounts, coalesce(sum(entry_count), 0)::text AS entries,
            coalesce(sum(credit_cents), 0)::text AS credit_cents, coalesce(sum(debit_cents), 0)::text AS debit_cents,
            count(*) FILTER (WHERE net_cents <> credit_cents - debit_cents OR closing_cents <> opening_cents + net_cents)::int AS bad_rows
     FROM consolidation_daily_balances WHERE data_ref = $1::date`,
  );
  const snapshot = await one<TotalsRow>(
    `SELECT coalesce(sum(day_entry_count), 0)::text AS entries, coalesce(sum(day_credit_cents), 0)::text AS credit_cents,
            coalesce(sum(day_debit_cents), 0)::text AS debit_cents
     FROM consolidation_day_batches WHERE data_ref = $1::date`,
  );
  const control = await one<TotalsRow & { batches: number; missing: number }>(
    `SELECT count(*)::int AS batches, count(*) FILTER (WHERE c.batch_id IS NULL)::int AS missing,
            coalesce(sum(c.entry_count), 0)::text AS entries, coalesce(sum(c.credit_sum_cents), 0)::text AS credit_cents,
            coalesce(sum(c.debit_sum_cents), 0)::text AS debit_cents
     FROM consolidation_day_batches b LEFT JOIN ledger_batches c USING (batch_id)
     WHERE b.data_ref = $1::date`,
  );

  // Batches that also hold entries of other days: their other entries are needed to check them whole.
  // (Found without an index on batch_id, hence only when there are such batches; see docs/consolidation.md.)
  const mixed = (
    await client.query<{ batch_id: string }>(
      `SELECT b.batch_id FROM consolidation_day_batches b JOIN ledger_batches c USING (batch_id)
       WHERE b.data_ref = $1::date AND c.entry_count <> b.day_entry_count`,
      [dataRef],
    )
  ).rows.map((row) => row.batch_id);
  const otherDays =
    mixed.length > 0
      ? `UNION ALL SELECT e.batch_id, e.request_id, e.direction, e.amount_cents, false FROM ledger_entries e
         WHERE e.batch_id = ANY($2::text[]) AND e.data_ref <> $1::date`
      : '';
  // One pass over the entries gives both the batches' figures (all days, checksums) and the day's own
  // (the ledger's figures): each pass is a scan of the day's million entries.
  const entries = await one<TotalsRow & { day_entries: string; day_credit_cents: string; day_debit_cents: string; checksum_mismatches: string[] | null }>(
    `WITH batch_entries AS (${SNAPSHOT_ENTRIES} ${otherDays}),
     per_batch AS (
       SELECT batch_id, ${SUMS}, ${DAY_SUMS},
              md5(string_agg(request_id::text || ':' || direction || ':' || amount_cents::text, ',' ORDER BY request_id)) AS checksum
       FROM batch_entries GROUP BY batch_id
     )
     SELECT coalesce(sum(p.entries::bigint), 0)::text AS entries, coalesce(sum(p.credit_cents::numeric), 0)::text AS credit_cents,
            coalesce(sum(p.debit_cents::numeric), 0)::text AS debit_cents,
            coalesce(sum(p.day_entries), 0)::text AS day_entries, coalesce(sum(p.day_credit_cents), 0)::text AS day_credit_cents,
            coalesce(sum(p.day_debit_cents), 0)::text AS day_debit_cents,
            array_agg(p.batch_id ORDER BY p.batch_id) FILTER (WHERE c.checksum IS DISTINCT FROM p.checksum) AS checksum_mismatches
     FROM per_batch p LEFT JOIN ledger_batches c USING (batch_id)`,
    mixed.length > 0 ? [dataRef, mixed] : [dataRef],
  );
  const ledger: TotalsRow = { entries: entries.day_entries, credit_cents: entries.day_credit_cents, debit_cents: entries.day_debit_cents };
  const controlEntries: TotalsRow & { checksum_mismatches: string[] | null } = entries;

  return {
    dataRef,
    ledger: totals(ledger),
    balances: { ...totals(balances), accounts: balances.accounts, badRows: balances.bad_rows },
    control: {
      ...totals(control),
      batches: control.batches,
      missingBatches: control.missing,
      checksumMismatches: (controlEntries.checksum_mismatches ?? []).slice(0, 20),
    },
    controlEntries: totals(controlEntries),
    snapshot: totals(snapshot),
    lateEntries: Number(everything.entries) - Number(ledger.entries),
  };
}

export function gatherFigures(postgres: PostgresStore, statementTimeoutMs: number, dataRef: string): Promise<DatabaseFigures> {
  return heartbeatWhile(
    () => inTransaction(postgres, statementTimeoutMs, (client) => gather(client, dataRef), 'REPEATABLE READ'),
    () => ({ dataRef, step: 'reconcile' }),
  );
}

/** Gathers the figures and checks them with the exported counts: the whole step in one call. */
export async function reconcileDay(postgres: PostgresStore, statementTimeoutMs: number, input: ReconcileInput): Promise<ReconciliationFigures> {
  const figures: ReconciliationFigures = { ...(await gatherFigures(postgres, statementTimeoutMs, input.dataRef)), exported: input.exported };
  assertReconciled(figures);
  return figures;
}
