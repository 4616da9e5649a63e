/**
 * For the scheduled run: which day the schedule's time stands for, and which days must run, in order.
 *
 * The target is the calendar day in São Paulo at the scheduled time (18:00 → that same day). Days of the
 * look-back window before it are re-run, from the earliest that needs it through the target, when their
 * entries changed since their last run (late entries: the count of the day's entries in the ledger is not the
 * count the run consolidated), when their last run did not succeed, or when they have entries and no run.
 * Every day from that one on is re-run too, because closing balances carry forward.
 */
import { addDays, dateRange, todayInSaoPaulo } from '../../domain/consolidation/dates';
import type { PostgresStore } from '../../stores/postgres';

export interface DaysToRun {
  target: string;
  /** In order; the target is always last. */
  days: string[];
  /** Why each earlier day is included, for the run's details. */
  reasons: Record<string, string>;
}

export async function daysToRun(postgres: PostgresStore, scheduledFor: string, lookbackDays: number): Promise<DaysToRun> {
  const target = todayInSaoPaulo(new Date(scheduledFor));
  if (lookbackDays === 0) return { target, days: [target], reasons: {} };
  const from = addDays(target, -lookbackDays);
  const { rows } = await postgres.pool().query<{ day: string; entries: string | null; status: string | null; run_entries: string | null }>(
    `WITH ledger AS (
       SELECT data_ref, count(*) AS entries FROM ledger_entries
       WHERE data_ref >= $1::date AND data_ref < $2::date GROUP BY data_ref
     ), latest AS (
       SELECT DISTINCT ON (data_ref) data_ref, status, entry_count FROM reports_runs
       WHERE data_ref >= $1::date AND data_ref < $2::date ORDER BY data_ref, started_at DESC
     )
     SELECT coalesce(l.data_ref, r.data_ref)::text AS day, l.entries::text, r.status, r.entry_count::text AS run_entries
     FROM ledger l FULL JOIN latest r ON r.data_ref = l.data_ref
     ORDER BY 1`,
    [from, target],
  );
  const reasons: Record<string, string> = {};
  for (const row of rows) {
    const entries = Number(row.entries ?? 0);
    if (row.status === null) {
      if (entries > 0) reasons[row.day] = `${entries} entries and no run`;
    } else if (row.status !== 'succeeded') {
      reasons[row.day] = `last run ${row.status}`;
    } else if (Number(row.run_entries ?? 0) !== entries) {
      reasons[row.day] = `${entries} entries now, ${row.run_entries} when last consolidated`;
    }
  }
  const earliest = Object.keys(reasons).sort()[0];
  return { target, days: earliest ? dateRange(earliest, target) : [target], reasons };
}
