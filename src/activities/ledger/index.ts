/**
 * The ledger's activities (task queue `ledger`): the flush of a shard's batch, the outbox relay to Kafka,
 * and the all-shards flush used by consolidation.
 */
import { loadConfig, type Config } from '../../config';
import type { LedgerFlushBatch } from '../../domain/ledger/flush-batch';
import { topicSpecs, topicNames } from '../../domain/topics';
import { createKafkaStore, type KafkaStore } from '../../stores/kafka';
import type { PostgresStore } from '../../stores/postgres';
import { flushBatch } from './flush';
import { flushShards } from './flush-shards';
import { relayOutbox } from './outbox-relay';

export interface LedgerActivityStores {
  postgres: PostgresStore;
  /** The process's Kafka store; when the worker's stores have none, the relay creates its own from config. */
  kafka?: KafkaStore;
}

export function createLedgerActivities(stores: LedgerActivityStores, config: Config = loadConfig()) {
  let ownKafka: KafkaStore | undefined;
  let kafka: Promise<KafkaStore> | undefined;
  /** The Kafka store with the ledger topic present (the broker does not auto-create topics). */
  const readyKafka = () => {
    if (!kafka) {
      const store = stores.kafka ?? (ownKafka ??= createKafkaStore(config));
      const ready = store.ensureTopics(topicSpecs(config, [topicNames.ledgerEntryRegistered])).then(() => store);
      kafka = ready;
      ready.catch(() => kafka === ready && (kafka = undefined));
    }
    return kafka;
  };

  return {
    /** One batch of a shard into PostgreSQL: entries, outbox rows and control row in one transaction. */
    flushLedgerBatch: (batch: LedgerFlushBatch) => flushBatch(stores.postgres, batch),
    /** Publishes unsent outbox rows to Kafka for up to budgetMs. */
    relayLedgerOutbox: (options: { batchSize: number; budgetMs: number }) => relayOutbox(stores.postgres, readyKafka, options),
    /** Flushes every shard (the `flush` update) and resolves when their entries are in PostgreSQL. */
    flushLedgerShards: (request: { dataRef: string }) => flushShards(config, request),
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
