/**
 * Money on the wire is a decimal string ("1234.50"); inside fluxo it is integer cents (bigint), never a
 * float, so sums and checksums are exact.
 */

/** A positive amount: up to 15 integer digits (cents stay far below 2^63) and at most 2 decimal places. */
export const AMOUNT_PATTERN = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;

/** Why `amount` is not acceptable, or undefined when it is. */
export function amountProblem(amount: string): string | undefined {
  if (/^-/.test(amount)) return 'must be greater than 0';
  if (/^\d+\.\d{3,}$/.test(amount)) return 'at most 2 decimal places';
  if (!AMOUNT_PATTERN.test(amount)) return 'must be a decimal string like "1234.50" (digits, optional "." and 1-2 decimals)';
  if (parseCents(amount) <= 0n) return 'must be greater than 0';
  return undefined;
}

/** "12.5" → 1250n. The caller has checked the amount against AMOUNT_PATTERN. */
export function parseCents(amount: string): bigint {
  const [units = '0', decimals = ''] = amount.split('.');
  return BigInt(units) * 100n + BigInt(decimals.padEnd(2, '0'));
}

/** 1250n → "12.50"; the canonical form stored in buffers and sent in events. */
export function formatCents(cents: bigint | string | number): string {
  const value = BigInt(cents);
  const sign = value < 0n ? '-' : '';
  const absolute = value < 0n ? -value : value;
  return `${sign}${absolute / 100n}.${(absolute % 100n).toString().padStart(2, '0')}`;
}

/** "12.5" → "12.50": equal amounts get one spelling (content hashes compare amounts, not spellings). */
export const canonicalAmount = (amount: string): string => formatCents(parseCents(amount));
