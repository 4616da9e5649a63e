/**
 * The feature store's side of the evaluation: an account's features as of an entry (the history before it,
 * from ledger_entries) for scoring, and the account's current row in alert_account_features, refreshed in the
 * same statement. The hourly schedule refreshes every account in the store or recently active.
 */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { AccountFeatures } from '../../domain/alerts/features';

interface FeatureRow {
  account_id: string;
  as_of: Date;
  count_1h: number;
  sum_1h: number;
  mean_1h: number;
  std_1h: number;
  count_24h: number;
  sum_24h: number;
  mean_24h: number;
  std_24h: number;
  count_30d: number;
  sum_30d: number;
  mean_30d: number;
  std_30d: number;
  first_seen_at: Date | null;
  hour_profile: number[];
  distinct_counterparties_30d: number;
}

const COLUMNS = `account_id, as_of, count_1h, sum_1h, mean_1h, std_1h, count_24h, sum_24h, mean_24h, std_24h,
  count_30d, sum_30d, mean_30d, std_30d, first_seen_at, hour_profile, distinct_counterparties_30d`;
const UPDATE_ALL = COLUMNS.split(',')
  .map((column) => column.trim())
  .filter((column) => column !== 'account_id')
  .map((column) => `${column} = EXCLUDED.${column}`)
  .join(', ');

/**
 * The point-in-time features of the entry (as of its acceptance, without it) and the store's refresh, in one
 * statement. An event whose entry is not in ledger_entries is scored as of the event's time.
 */
const ASSESS_SQL = `
WITH entry AS (
  SELECT coalesce((SELECT accepted_at FROM ledger_entries WHERE request_id = $2), $3::timestamptz) AS accepted_at
), refreshed AS (
  INSERT INTO alert_account_features (${COLUMNS}, refreshed_at)
  SELECT f.*, now() FROM alert_account_features_at($1, now(), NULL) f
  ON CONFLICT (account_id) DO UPDATE SET ${UPDATE_ALL}, refreshed_at = now()
  RETURNING account_id
)
SELECT f.*, entry.accepted_at AS entry_accepted_at, (SELECT count(*) FROM refreshed)::int AS refreshed
FROM entry, LATERAL alert_account_features_at($1, entry.accepted_at, $2) f`;

export function toFeatures(row: FeatureRow): AccountFeatures {
  const window = (count: number, sum: number, mean: number, std: number) => ({ count, sum, mean, std });
  const asOf = row.as_of;
  return {
    accountId: row.account_id,
    asOf: asOf.toISOString(),
    w1h: window(row.count_1h, row.sum_1h, row.mean_1h, row.std_1h),
    w24h: window(row.count_24h, row.sum_24h, row.mean_24h, row.std_24h),
    w30d: window(row.count_30d, row.sum_30d, row.mean_30d, row.std_30d),
    accountAgeDays: row.first_seen_at ? Math.max(0, (asOf.getTime() - row.first_seen_at.getTime()) / 86_400_000) : 0,
    hourProfile: row.hour_profile,
    distinctCounterparties30d: row.distinct_counterparties_30d,
  };
}

export async function featuresForEntry(
  pool: Pool,
  entry: { accountId: string; requestId: string; occurredAt: string },
): Promise<{ features: AccountFeatures; acceptedAt: Date }> {
  const { rows } = await pool.query<FeatureRow & { entry_accepted_at: Date }>(ASSESS_SQL, [entry.accountId, entry.requestId, entry.occurredAt]);
  const row = rows[0]!;
  return { features: toFeatures(row), acceptedAt: row.entry_accepted_at };
}

/** Accounts to refresh: those in the store and those with entries in the last 30 days, by account id. */
const REFRESH_PAGE_SQL = `
WITH accounts AS (
  SELECT account_id FROM (
    SELECT account_id FROM alert_account_features WHERE account_id > $1
    UNION
    SELECT DISTINCT account_id FROM ledger_entries WHERE accepted_at > now() - interval '30 days' AND account_id > $1
  ) candidates ORDER BY account_id LIMIT $2
)
INSERT INTO alert_account_features (${COLUMNS}, refreshed_at)
SELECT f.*, now() FROM accounts a, LATERAL alert_account_features_at(a.account_id, now(), NULL) f
ON CONFLICT (account_id) DO UPDATE SET ${UPDATE_ALL}, refreshed_at = now()
RETURNING account_id`;

/** Refreshes every account page by page (heartbeating the last account done, so a retry resumes there). */
export async function refreshAllFeatures(pool: Pool, pageSize: number): Promise<{ accounts: number }> {
  const context = Context.current();
  let after = (context.info.heartbeatDetails as { after?: string; accounts?: number } | undefined)?.after ?? '';
  let accounts = (context.info.heartbeatDetails as { accounts?: number } | undefined)?.accounts ?? 0;
  for (;;) {
    const { rows } = await pool.query<{ account_id: string }>(REFRESH_PAGE_SQL, [after, pageSize]);
    if (rows.length === 0) return { accounts };
    accounts += rows.length;
    after = rows.map((row) => row.account_id).sort().at(-1)!;
    context.heartbeat({ after, accounts });
    if (rows.length < pageSize) return { accounts };
  }
}

export interface RecentEntryRow {
  accepted_at: Date;
  amount_cents: string;
  direction: string;
  description: string | null;
  counterparty: string | null;
}

/** The account's entries before this one, newest first: the LLM's context (trimmed to the token budget). */
export async function recentEntries(pool: Pool, accountId: string, before: Date, exclude: string, limit: number): Promise<RecentEntryRow[]> {
  const { rows } = await pool.query<RecentEntryRow>(
    `SELECT accepted_at, amount_cents::text, direction, description, metadata->>'counterparty' AS counterparty
     FROM ledger_entries WHERE account_id = $1 AND accepted_at <= $2 AND request_id <> $3
     ORDER BY accepted_at DESC LIMIT $4`,
    [accountId, before, exclude, limit],
  );
  return rows;
}
