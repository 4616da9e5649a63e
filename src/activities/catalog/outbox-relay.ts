/**
 * Relays catalog_outbox to Kafka (`catalogo.publicados`, key = catalog id, so one catalog's versions stay in
 * order): unsent rows are claimed with FOR UPDATE SKIP LOCKED, sent, and marked sent in one transaction. A
 * crash between the send and the commit sends them again with the same event_id: at least once.
 *
 * The publish run calls it once after its commit; an event that could not be sent then (Kafka down) stays in
 * the outbox and leaves with the next run's relay.
 */
import type { CatalogPublishedEvent, CatalogPublishedPayload } from '../../domain/catalog/events';
import { CATALOG_PUBLISHED_EVENT_TYPE } from '../../domain/catalog/events';
import { topicNames } from '../../domain/topics';
import type { KafkaStore } from '../../stores/kafka';
import type { PostgresStore } from '../../stores/postgres';

interface OutboxRow {
  event_id: string;
  catalog_id: string;
  event_version: number;
  payload: CatalogPublishedPayload;
  occurred_at: Date;
}

export const toCatalogEvent = (row: OutboxRow): CatalogPublishedEvent => ({
  event_id: row.event_id,
  event_type: CATALOG_PUBLISHED_EVENT_TYPE,
  event_version: row.event_version,
  occurred_at: row.occurred_at.toISOString(),
  payload: row.payload,
});

export async function relayCatalogOutboxOnce(postgres: PostgresStore, kafka: KafkaStore, batchSize = 100): Promise<number> {
  return postgres.transaction(async (client) => {
    const { rows } = await client.query<OutboxRow>(
      `SELECT event_id, catalog_id, event_version, payload, occurred_at FROM catalog_outbox
       WHERE sent_at IS NULL ORDER BY occurred_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [batchSize],
    );
    if (rows.length === 0) return 0;
    await kafka.producer().send(
      topicNames.catalogPublished,
      rows.map((row) => ({
        key: row.catalog_id,
        value: JSON.stringify(toCatalogEvent(row)),
        headers: { event_id: row.event_id, event_type: CATALOG_PUBLISHED_EVENT_TYPE },
      })),
    );
    await client.query('UPDATE catalog_outbox SET sent_at = now() WHERE event_id = ANY($1::uuid[])', [rows.map((row) => row.event_id)]);
    return rows.length;
  });
}

/** Sends every unsent event (a handful: one per publish). */
export async function relayCatalogOutbox(postgres: PostgresStore, kafka: () => Promise<KafkaStore>): Promise<{ published: number }> {
  const store = await kafka();
  let published = 0;
  for (let sent = await relayCatalogOutboxOnce(postgres, store); sent > 0; sent = await relayCatalogOutboxOnce(postgres, store)) published += sent;
  return { published };
}
