/** The flush activity's contract: one batch of a shard written to PostgreSQL in one transaction. */
import type { BufferedEntry } from './buffered-entry';

export interface LedgerFlushBatch {
  /** `<workflow id>:<run id>:<sequence>`: the same on every retry of the activity, unique across runs. */
  batchId: string;
  shard: number;
  entries: BufferedEntry[];
}

/** The control-table row of a batch (ledger_batches). */
export interface LedgerBatchRecord {
  batchId: string;
  shard: number;
  /** Entries in the batch as flushed. */
  received: number;
  /** Entries this batch inserted (fewer when some request_id was already in PostgreSQL). */
  inserted: number;
  amountSumCents: string;
  creditSumCents: string;
  debitSumCents: string;
  /** md5 of `request_id:direction:amount_cents` of the inserted rows, sorted by request_id, comma-joined. */
  checksum: string;
  flushedAt: string;
}

/** The Kafka event `LancamentoRegistrado`, in the envelope of ARCHITECTURE.md. */
export interface LedgerEntryRegisteredEvent {
  event_id: string;
  event_type: 'LancamentoRegistrado';
  event_version: 1;
  occurred_at: string;
  payload: {
    request_id: string;
    account_id: string;
    amount: string;
    direction: string;
    data_ref: string;
    description: string | null;
    metadata: Record<string, unknown> | null;
    batch_id: string;
  };
}

export const LEDGER_EVENT_TYPE = 'LancamentoRegistrado';
