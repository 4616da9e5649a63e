/**
 * Refreshes the read models `reports_*` with REFRESH MATERIALIZED VIEW CONCURRENTLY: readers keep reading the
 * previous contents until the new ones commit (it takes no lock that blocks SELECTs), which is why each view
 * has a unique index. Refreshing is idempotent; two runs refreshing at once simply queue on the view's lock.
 */
import type { PostgresStore } from '../../stores/postgres';
import { heartbeatWhile } from './heartbeat';
import { inTransaction } from './sql';

/** Order matters only for readers' consistency between views: balances first, then what derives from them. */
export const reportViews = ['reports_daily_balances', 'reports_daily_totals', 'reports_top_accounts'] as const;

export async function refreshReportViews(postgres: PostgresStore, statementTimeoutMs: number): Promise<{ views: string[]; durationsMs: Record<string, number> }> {
  const durationsMs: Record<string, number> = {};
  let current = '';
  await heartbeatWhile(
    async () => {
      for (const view of reportViews) {
        current = view;
        const started = Date.now();
        // One transaction per view: a view's refresh does not wait for the others to commit.
        await inTransaction(postgres, statementTimeoutMs, (client) => client.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`));
        durationsMs[view] = Date.now() - started;
      }
    },
    () => ({ step: 'refresh_views', view: current }),
  );
  return { views: [...reportViews], durationsMs };
}
