/** Helpers for the ledger tests: an isolated shard prefix per test file, entry bodies, cleanup. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { bufferWorkflowId } from '../../src/domain/ledger/shard';

/** Settings that keep a test file's shard workflows apart from every other test's. */
export function ledgerTestSettings(name: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    LEDGER_BUFFER_ID_PREFIX: `t-${name}-${process.pid}-${Date.now()}`,
    LEDGER_SHARDS: '2',
    LEDGER_RELAY_ENABLED: 'false',
    ...overrides,
  };
}

let counter = 0;
export function entryBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    request_id: randomUUID(),
    account_id: `acc-${counter % 7}`,
    amount: `${counter}.${String(counter % 100).padStart(2, '0')}`,
    direction: counter % 2 ? 'credit' : 'debit',
    data_ref: '2026-01-15',
    ...overrides,
  };
}

/** Terminates a test's shard workflows so they do not linger on the shared `ledger` queue. */
export async function terminateShards(client: Client, settings: Record<string, string>): Promise<void> {
  const shards = Number(settings.LEDGER_SHARDS ?? 2);
  await Promise.all(
    Array.from({ length: shards }, (_, shard) =>
      client.workflow
        .getHandle(bufferWorkflowId(settings.LEDGER_BUFFER_ID_PREFIX!, shard))
        .terminate('ledger test finished')
        .catch(() => undefined),
    ),
  );
}
