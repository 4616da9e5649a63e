/** A validated request body → the compact entry that is buffered and flushed (per request: cheap). */
import { canonicalJson, contentHash } from '../../domain/ledger/content-hash';
import { todayInSaoPaulo } from '../../domain/ledger/data-ref';
import type { BufferedEntry, LedgerEntryRequest } from '../../domain/ledger/entry';
import { canonicalAmount } from '../../domain/ledger/money';

export function prepareEntry(body: LedgerEntryRequest, now: Date): BufferedEntry {
  const metadata = body.metadata === undefined ? undefined : canonicalJson(body.metadata);
  const entry: BufferedEntry = {
    requestId: body.request_id.toLowerCase(),
    accountId: body.account_id,
    amount: canonicalAmount(body.amount),
    direction: body.direction,
    dataRef: body.data_ref ?? todayInSaoPaulo(now),
    contentHash: contentHash(body, metadata),
    acceptedAt: now.getTime(),
  };
  if (body.description !== undefined) entry.description = body.description;
  if (metadata !== undefined) entry.metadata = metadata;
  return entry;
}
