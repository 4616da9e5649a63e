/**
 * Account → shard: FNV-1a (32 bit) of the account id's UTF-8 bytes, mod the shard count. Stable across
 * processes, restarts and Node versions (no randomised hash seed), so an account's entries always go to
 * the same buffer workflow. Changing LEDGER_SHARDS remaps accounts; entries already buffered still flush.
 */

export function shardOf(accountId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(accountId)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** `ledger-buffer-3`: the business key of shard 3's buffer workflow (prefix from LEDGER_BUFFER_ID_PREFIX). */
export const bufferWorkflowId = (prefix: string, shard: number): string => `${prefix}-${shard}`;
