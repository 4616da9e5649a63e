/**
 * The outbox relay's work: take unsent outbox rows (`FOR UPDATE SKIP LOCKED`, so relays never wait for
 * each other), publish them to `lancamentos.registrados` keyed by account (an account's events stay in
 * order), then mark them sent, all in one transaction. A crash between publish and commit re-sends the
 * rows: at least once, with the same event_id.
 */
import { Context } from '@temporalio/activity';
import type { LedgerEntryRegisteredEvent } from '../../domain/ledger/flush-batch';
import { LEDGER_EVENT_TYPE } from '../../domain/ledger/flush-batch';
import { formatCents } from '../../domain/ledger/money';
import { topicNames } from '../../domain/topics';
import type { KafkaStore } from '../../stores/kafka';
import type { PostgresStore } from '../../stores/postgres';

interface OutboxRow {
  event_id: string;
  event_version: number;
  occurred_at: Date;
  request_id: string;
  account_id: string;
  amount_cents: string;
  direction: string;
  data_ref: string;
  description: string | null;
  metadata: Record<string, unknown> | null;
  batch_id: string;
}

const CLAIM_SQL = `
SELECT o.event_id, o.event_version, o.occurred_at, e.request_id, e.account_id, e.amount_cents, e.direction,
       to_char(e.data_ref, 'YYYY-MM-DD') AS data_ref, e.description, e.metadata, e.batch_id
FROM ledger_outbox o JOIN ledger_entries e USING (request_id)
WHERE o.sent_at IS NULL
ORDER BY o.occurred_at
LIMIT $1
FOR UPDATE OF o SKIP LOCKED`;

export function toEvent(row: OutboxRow): LedgerEntryRegisteredEvent {
  return {
    event_id: row.event_id,
    event_type: LEDGER_EVENT_TYPE,
    event_version: 1,
    occurred_at: row.occurred_at.toISOString(),
    payload: {
      request_id: row.request_id,
      account_id: row.account_id,
      amount: formatCents(row.amount_cents),
      direction: row.direction,
      data_ref: row.data_ref,
      description: row.description,
      metadata: row.metadata,
      batch_id: row.batch_id,
    },
  };
}

/** Publishes one batch of unsent rows; returns how many were published (0: the outbox is empty). */
export async function relayOnce(postgres: PostgresStore, kafka: KafkaStore, batchSize: number): Promise<number> {
  return postgres.transaction(async (client) => {
    const { rows } = await client.query<OutboxRow>(CLAIM_SQL, [batchSize]);
    if (rows.length === 0) return 0;
    await kafka.producer().send(
      topicNames.ledgerEntryRegistered,
      rows.map((row) => ({
        key: row.account_id,
        value: JSON.stringify(toEvent(row)),
        headers: { event_id: row.event_id, event_type: LEDGER_EVENT_TYPE },
      })),
    );
    await client.query('UPDATE ledger_outbox SET sent_at = now() WHERE event_id = ANY($1::uuid[])', [rows.map((row) => row.event_id)]);
    return rows.length;
  });
}

/** Publishes until the outbox is empty or `budgetMs` passed, heartbeating after each batch. */
export async function relayOutbox(
  postgres: PostgresStore,
  kafka: () => Promise<KafkaStore>,
  options: { batchSize: number; budgetMs: number },
): Promise<{ published: number }> {
  const store = await kafka();
  const deadline = Date.now() + options.budgetMs;
  let published = 0;
  for (;;) {
    const count = await relayOnce(postgres, store, options.batchSize);
    published += count;
    Context.current().heartbeat(published);
    if (count < options.batchSize || Date.now() >= deadline) return { published };
  }
}
