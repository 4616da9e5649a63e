/**
 * For the consolidation domain: "flush every ledger shard up to data_ref and tell me when it is in
 * PostgreSQL". Calls the `flush` update on each shard workflow (in parallel); a shard that was never
 * started holds nothing. Run it as an activity on the `ledger` task queue:
 *
 *   const { flushLedgerShards } = proxyActivities<LedgerActivities>({ taskQueue: 'ledger', startToCloseTimeout: '5 minutes', heartbeatTimeout: '30 seconds' });
 *   await flushLedgerShards({ dataRef });
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../../config';
import { ledgerFlushUpdate, type LedgerFlushResult } from '../../domain/ledger/buffer';
import { bufferWorkflowId } from '../../domain/ledger/shard';

export async function flushShards(
  config: Pick<Config, 'LEDGER_SHARDS' | 'LEDGER_BUFFER_ID_PREFIX'>,
  { dataRef }: { dataRef: string },
): Promise<{ shards: LedgerFlushResult[] }> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(), 5000);
  try {
    const results = await Promise.all(
      Array.from({ length: config.LEDGER_SHARDS }, async (_, shard) => {
        const handle = context.client.workflow.getHandle(bufferWorkflowId(config.LEDGER_BUFFER_ID_PREFIX, shard));
        try {
          return await handle.executeUpdate(ledgerFlushUpdate, { args: [{ dataRef }] });
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return undefined;
          throw error;
        }
      }),
    );
    return { shards: results.filter((result): result is LedgerFlushResult => result !== undefined) };
  } finally {
    clearInterval(beat);
  }
}
