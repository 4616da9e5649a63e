/** The accepted-entry shape shared by the API, the buffer workflow and the flush (no zod: workflows import it). */

/**
 * An accepted entry as buffered in a shard workflow and handed to the flush activity. Compact on purpose
 * (it travels in signal and activity payloads): amount canonical ("12.50"), metadata as JSON text.
 */
export interface BufferedEntry {
  requestId: string;
  accountId: string;
  amount: string;
  direction: 'credit' | 'debit';
  dataRef: string;
  description?: string;
  metadata?: string;
  /** Hash of the content as submitted (see content-hash.ts); stored with the row for later comparisons. */
  contentHash: string;
  /** When the API accepted it, epoch milliseconds. */
  acceptedAt: number;
}

/** Rough serialized size of an entry, to keep signals and activity inputs well under Temporal's 2 MB. */
export const entryBytes = (entry: BufferedEntry): number =>
  260 + (entry.description?.length ?? 0) * 2 + (entry.metadata?.length ?? 0) * 2;
