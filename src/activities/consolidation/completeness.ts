/**
 * Completeness: before a day is consolidated, every ledger buffer (`ledger-buffer-<n>`) is asked, through its
 * `flush` update, to persist what it holds for that day or earlier, and the step waits until they have. A
 * workflow cannot call another workflow's update, so this is an activity with the process's Temporal client.
 * A buffer that was never started (or has ended) holds nothing: it is skipped.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import { ledgerFlushUpdate, type LedgerFlushResult } from '../../domain/ledger/buffer';
import { bufferWorkflowId } from '../../domain/ledger/shard';
import type { LazyTemporalClient } from '../../stores/temporal';
import { heartbeatWhile } from './heartbeat';

export interface CompletenessResult {
  /** Shards whose buffer answered the flush. */
  flushed: number[];
  /** Shards without a running buffer. */
  absent: number[];
  /** Entries the answering buffers had persisted in their current run, after the flush. */
  persistedTotal: number;
}

/**
 * Errors meaning "no such running workflow": nothing is buffered there. Narrow on purpose: any other error
 * (an update the buffer does not know, a timeout) fails the step rather than skipping a shard's entries.
 */
function isAbsent(error: unknown): boolean {
  if (error instanceof WorkflowNotFoundError) return true;
  return /workflow execution already completed/i.test((error as Error)?.message ?? '');
}

async function flushShard(client: Client, workflowId: string, dataRef: string): Promise<LedgerFlushResult | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(ledgerFlushUpdate, { args: [{ dataRef }] });
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
}

export async function flushLedgerBuffers(
  temporal: LazyTemporalClient,
  config: Pick<Config, 'LEDGER_SHARDS' | 'LEDGER_BUFFER_ID_PREFIX'>,
  dataRef: string,
): Promise<CompletenessResult> {
  const client = await temporal.client();
  const shards = Array.from({ length: config.LEDGER_SHARDS }, (_, shard) => shard);
  let answered = 0;
  const results = await heartbeatWhile(
    () =>
      Promise.all(
        shards.map(async (shard) => {
          const result = await flushShard(client, bufferWorkflowId(config.LEDGER_BUFFER_ID_PREFIX, shard), dataRef);
          answered += 1;
          return result;
        }),
      ),
    () => ({ shardsAnswered: answered, shards: shards.length }),
  );
  return {
    flushed: shards.filter((shard) => results[shard] !== undefined),
    absent: shards.filter((shard) => results[shard] === undefined),
    persistedTotal: results.reduce((sum, result) => sum + (result?.persistedTotal ?? 0), 0),
  };
}
