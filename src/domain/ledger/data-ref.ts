/** `data_ref`, the reference date of an entry: a calendar date, by default today in America/Sao_Paulo. */

export const LEDGER_TIME_ZONE = 'America/Sao_Paulo';

// Created on first use: workflows import this module for isCalendarDate and never need the formatter.
let formatter: Intl.DateTimeFormat | undefined;

/** Today's date (YYYY-MM-DD) in São Paulo at `now`. */
export function todayInSaoPaulo(now: Date = new Date()): string {
  formatter ??= new Intl.DateTimeFormat('en-CA', { timeZone: LEDGER_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
  return formatter.format(now);
}

/** True for a real calendar date written YYYY-MM-DD (rejects 2024-02-30, 2023-02-29, 2024-13-01). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || year > 9999) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
