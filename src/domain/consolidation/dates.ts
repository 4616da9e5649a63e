/**
 * Calendar arithmetic on `data_ref` strings (YYYY-MM-DD). Pure and deterministic (UTC date parts only), so
 * workflows use it too.
 */
export { isCalendarDate, todayInSaoPaulo, LEDGER_TIME_ZONE } from '../ledger/data-ref';

const DAY_MS = 24 * 3600 * 1000;

const toUtcMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/** "2026-01-31" + 1 → "2026-02-01". */
export function addDays(date: string, days: number): string {
  return new Date(toUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** Every date from `from` to `to`, both included, in order (empty when `to` is earlier). */
export function dateRange(from: string, to: string): string[] {
  const count = daysBetween(from, to) + 1;
  return Array.from({ length: Math.max(count, 0) }, (_, index) => addDays(from, index));
}
