/**
 * The content hash that decides "same request" (same answer) versus "different content" (409) for a
 * reused request_id. It covers what the caller sent, normalised: amounts compare as cents ("10" = "10.00"),
 * metadata keys in sorted order, and an omitted data_ref is hashed as omitted, so a retry after midnight in
 * São Paulo is still the same request (the entry keeps the date it was first accepted with).
 */
import { createHash } from 'node:crypto';
import type { LedgerEntryRequest } from './entry';
import { canonicalAmount } from './money';

/** JSON with object keys sorted at every level: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 32 hex characters (128 bits of SHA-256): collisions are not a practical concern at ledger volumes. */
export function contentHash(entry: LedgerEntryRequest, metadataJson: string | undefined): string {
  const text = [
    entry.account_id,
    canonicalAmount(entry.amount),
    entry.direction,
    entry.data_ref ?? '',
    entry.description ?? '',
    metadataJson ?? '',
  ].join('\u001f');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
