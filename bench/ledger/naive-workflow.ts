/**
 * The naive peer of the ledger buffer: one workflow per entry (`ledger-entry-<request_id>`), which writes
 * its single entry with the same flush activity. Bench-only; bundled by the bench's own worker.
 */
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { LedgerActivities } from '../../src/activities/ledger';
import type { BufferedEntry } from '../../src/domain/ledger/buffered-entry';
import { searchAttributeKeys } from '../../src/domain/search-attributes';

const { flushLedgerBatch } = proxyActivities<LedgerActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

export async function naiveLedgerEntryWorkflow(entry: BufferedEntry): Promise<void> {
  // A per-entry workflow can carry the per-entry search attributes the shard workflows cannot.
  upsertSearchAttributes([
    { key: searchAttributeKeys.AccountId, value: entry.accountId },
    { key: searchAttributeKeys.DataRef, value: entry.dataRef },
  ]);
  await flushLedgerBatch({ batchId: `naive:${entry.requestId}`, shard: -1, entries: [entry] });
}
