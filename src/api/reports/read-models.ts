/**
 * The reports API's reads: the consolidation's read models (the `reports_*` materialized views; readers see
 * the last complete refresh, never a day half-way through a re-run) and the run records (`reports_runs`).
 * Only the consolidation's activities write these; the API only reads them, hence they live here.
 */
import { formatCents } from '../../domain/ledger/money';
import type { PostgresStore } from '../../stores/postgres';

export interface BalanceRecord {
  account_id: string;
  data_ref: string;
  as_of: string;
  opening: string;
  credits: string;
  debits: string;
  net: string;
  closing: string;
  entry_count: number;
}

interface BalanceRow {
  account_id: string;
  data_ref: string;
  opening_cents: string;
  credit_cents: string;
  debit_cents: string;
  net_cents: string;
  closing_cents: string;
  entry_count: number;
}

const COLUMNS = `account_id, data_ref::text, opening_cents::text, credit_cents::text, debit_cents::text, net_cents::text,
                 closing_cents::text, entry_count`;

function record(row: BalanceRow, dataRef: string): BalanceRecord {
  if (row.data_ref === dataRef) {
    return {
      account_id: row.account_id,
      data_ref: dataRef,
      as_of: row.data_ref,
      opening: formatCents(row.opening_cents),
      credits: formatCents(row.credit_cents),
      debits: formatCents(row.debit_cents),
      net: formatCents(row.net_cents),
      closing: formatCents(row.closing_cents),
      entry_count: row.entry_count,
    };
  }
  // No entries that day: the balance is carried from the account's latest consolidated day before it.
  return {
    account_id: row.account_id,
    data_ref: dataRef,
    as_of: row.data_ref,
    opening: formatCents(row.closing_cents),
    credits: '0.00',
    debits: '0.00',
    net: '0.00',
    closing: formatCents(row.closing_cents),
    entry_count: 0,
  };
}

/** The account's balance on the day (carried from its latest earlier day when it had no entries), if any. */
export async function accountBalance(postgres: PostgresStore, accountId: string, dataRef: string): Promise<BalanceRecord | undefined> {
  const { rows } = await postgres.pool().query<BalanceRow>(
    `SELECT ${COLUMNS} FROM reports_daily_balances WHERE account_id = $1 AND data_ref <= $2::date ORDER BY data_ref DESC LIMIT 1`,
    [accountId, dataRef],
  );
  return rows[0] ? record(rows[0], dataRef) : undefined;
}

/** A page of the day's balances (accounts with entries that day), by account id. */
export async function dayBalances(
  postgres: PostgresStore,
  dataRef: string,
  page: { limit: number; after?: string },
): Promise<{ balances: BalanceRecord[]; nextAfter: string | null }> {
  const { rows } = await postgres.pool().query<BalanceRow>(
    `SELECT ${COLUMNS} FROM reports_daily_balances
     WHERE data_ref = $1::date AND ($2::text IS NULL OR account_id > $2)
     ORDER BY account_id LIMIT $3`,
    [dataRef, page.after ?? null, page.limit + 1],
  );
  const more = rows.length > page.limit;
  const balances = rows.slice(0, page.limit).map((row) => record(row, dataRef));
  return { balances, nextAfter: more ? balances[balances.length - 1]!.account_id : null };
}

export interface DayReport {
  data_ref: string;
  accounts: number;
  entry_count: number;
  credits: string;
  debits: string;
  net: string;
  top_accounts: { rank: number; account_id: string; volume: string; credits: string; debits: string; entry_count: number }[];
}

/** The day's totals and its top accounts by volume (reports_daily_totals, reports_top_accounts). */
export async function dayReport(postgres: PostgresStore, dataRef: string, top: number): Promise<DayReport | undefined> {
  const pool = postgres.pool();
  const totals = await pool.query<{ accounts: string; entry_count: string; credit_cents: string; debit_cents: string; net_cents: string }>(
    `SELECT accounts::text, entry_count::text, credit_cents::text, debit_cents::text, net_cents::text
     FROM reports_daily_totals WHERE data_ref = $1::date`,
    [dataRef],
  );
  const row = totals.rows[0];
  if (!row) return undefined;
  const ranked = await pool.query<{ rank: string; account_id: string; volume_cents: string; credit_cents: string; debit_cents: string; entry_count: number }>(
    `SELECT rank::text, account_id, volume_cents::text, credit_cents::text, debit_cents::text, entry_count
     FROM reports_top_accounts WHERE data_ref = $1::date AND rank <= $2 ORDER BY rank`,
    [dataRef, top],
  );
  return {
    data_ref: dataRef,
    accounts: Number(row.accounts),
    entry_count: Number(row.entry_count),
    credits: formatCents(row.credit_cents),
    debits: formatCents(row.debit_cents),
    net: formatCents(row.net_cents),
    top_accounts: ranked.rows.map((account) => ({
      rank: Number(account.rank),
      account_id: account.account_id,
      volume: formatCents(account.volume_cents),
      credits: formatCents(account.credit_cents),
      debits: formatCents(account.debit_cents),
      entry_count: account.entry_count,
    })),
  };
}

export interface RunRow {
  run_id: string;
  status: 'running' | 'succeeded' | 'failed';
  requested_by: string;
  partitions: number;
  started_at: Date;
  finished_at: Date | null;
  steps: { step: string; started_at: string; duration_ms: number }[];
  counts: Record<string, unknown> | null;
  manifest_key: string | null;
  error: Record<string, unknown> | null;
}

/** The day's runs, newest first (for the API). */
export async function runsOfDay(postgres: PostgresStore, dataRef: string, limit = 20): Promise<RunRow[]> {
  const { rows } = await postgres.pool().query<RunRow>(
    `SELECT run_id, status, requested_by, partitions, started_at, finished_at, steps, counts, manifest_key, error
     FROM reports_runs WHERE data_ref = $1 ORDER BY started_at DESC, run_id LIMIT $2`,
    [dataRef, limit],
  );
  return rows;
}
