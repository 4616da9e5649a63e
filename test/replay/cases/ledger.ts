import { randomUUID } from 'node:crypto';
import { ledgerEntriesSignal, ledgerFlushUpdate, ledgerRetireUpdate, type LedgerBufferInput } from '../../../src/domain/ledger/buffer';
import type { BufferedEntry } from '../../../src/domain/ledger/buffered-entry';
import type { LedgerOutboxRelayInput } from '../../../src/workflows/ledger/outbox-relay';
import type { ReplayCase } from '../replay-case';

const entries = (count: number): BufferedEntry[] =>
  Array.from({ length: count }, (_, index) => ({
    requestId: randomUUID(),
    accountId: `replay-${index % 3}`,
    amount: `${index + 1}.50`,
    direction: index % 2 ? 'credit' : 'debit',
    dataRef: '2026-01-20',
    description: 'replay',
    metadata: '{"case":"replay"}',
    contentHash: 'r'.repeat(32),
    acceptedAt: 1_790_000_000_000 + index,
  }));

const bufferInput: LedgerBufferInput = {
  shard: 0,
  shards: 1,
  settings: {
    flushSize: 5,
    flushMaxBytes: 1_000_000,
    flushIntervalMs: 300,
    flushConcurrency: 2,
    historyEventsLimit: 10_000,
    historyBytesLimit: 4_000_000,
    carryMaxEntries: 5,
    carryMaxBytes: 500_000,
  },
};

export const cases: ReplayCase[] = [
  {
    // Signals, flushes by size and by interval, a duplicate, the flush update, then retire (completes).
    name: 'ledgerBufferWorkflow-signals-flush-retire',
    taskQueues: ['ledger'],
    start: async (client) => {
      const handle = await client.workflow.signalWithStart('ledgerBufferWorkflow', {
        workflowId: `replay-ledger-buffer-${randomUUID()}`,
        taskQueue: 'ledger',
        args: [bufferInput],
        signal: ledgerEntriesSignal,
        signalArgs: [{ entries: entries(7) }],
      });
      return client.workflow.getHandle(handle.workflowId);
    },
    drive: async (client, handle) => {
      const more = entries(3);
      await handle.signal(ledgerEntriesSignal, { entries: more });
      await handle.signal(ledgerEntriesSignal, { entries: more.slice(0, 1) });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await client.workflow.getHandle(handle.workflowId).executeUpdate(ledgerFlushUpdate, { args: [{ dataRef: '2026-01-20' }] });
      await client.workflow.getHandle(handle.workflowId).executeUpdate(ledgerRetireUpdate);
    },
  },
  {
    // Two rounds of the outbox relay (needs Kafka: FLUXO_TEST_SERVICES=kafka when recording).
    name: 'ledgerOutboxRelayWorkflow-two-rounds',
    taskQueues: ['ledger'],
    start: (client) => {
      const input: LedgerOutboxRelayInput = { batchSize: 100, idleMs: 200, budgetMs: 1000, maxRounds: 2 };
      return client.workflow.start('ledgerOutboxRelayWorkflow', {
        workflowId: `replay-ledger-relay-${randomUUID()}`,
        taskQueue: 'ledger',
        args: [input],
      });
    },
  },
];
