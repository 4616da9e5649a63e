/**
 * Kafka: fluxo's small interface over kafkajs. kafkajs is unmaintained, so nothing outside this module
 * and src/stores/kafka/ imports it; the rest of fluxo sees KafkaStore, OutgoingMessage and IncomingMessage.
 *
 * Clients are created on first use and thrown away after a connection failure, so one store instance
 * outlives a broker restart. Every call is bounded by KAFKA_TIMEOUT_MS.
 */
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import type { Config } from '../config';
import type { TopicSpec } from '../domain/topics';
import { createLogger } from '../observability/logger';
import { withTimeout, type StoreHealth } from './store';
import { startConsumer } from './kafka/consumer';
import { isConnectionFailure, KafkaStoreError, translate } from './kafka/errors';
import { kafkaLogCreator, type KafkaLogger } from './kafka/logging';
import type { ConsumerOptions, KafkaConsumer, KafkaProducer, MessageHandler, OutgoingMessage } from './kafka/types';

export * from './kafka/types';
export { KafkaStoreError, type KafkaFailure } from './kafka/errors';
export type { KafkaLogger } from './kafka/logging';

export interface KafkaStore extends StoreHealth {
  /** Creates the topics that are missing (with their partitions and retention); existing ones are left alone. */
  ensureTopics(topics: TopicSpec[]): Promise<{ created: string[] }>;
  /** Deletes topics (tests clean up after themselves); names that do not exist are ignored. */
  deleteTopics(names: string[]): Promise<void>;
  /** The process's idempotent producer (acks=all), shared by every caller. */
  producer(): KafkaProducer;
  /** Joins `groupId` and hands every message of `options.topics` to `handler`; see ./kafka/consumer.ts. */
  consumer(groupId: string, handler: MessageHandler, options: ConsumerOptions): Promise<KafkaConsumer>;
}

export function createKafkaStore(
  config: Pick<Config, 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'KAFKA_TIMEOUT_MS' | 'LOG_LEVEL'>,
  logger: KafkaLogger = createLogger(config, 'kafka'),
): KafkaStore {
  const brokers = config.KAFKA_BROKERS;
  const timeoutMs = config.KAFKA_TIMEOUT_MS;
  // Few, quick retries: a call must settle within KAFKA_TIMEOUT_MS, and a loopback broker that is down
  // refuses connections at once, so waiting longer only delays the error.
  const retry = { retries: 3, initialRetryTime: 100, maxRetryTime: Math.max(500, Math.floor(timeoutMs / 4)) };

  let kafka: Kafka | undefined;
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  const consumers = new Set<KafkaConsumer>();

  const client = () =>
    (kafka ??= new Kafka({
      clientId: config.KAFKA_CLIENT_ID,
      brokers,
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      enforceRequestTimeout: true,
      retry,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(logger),
    }));

  const connectedAdmin = () => {
    if (!admin) {
      const connecting = (async () => {
        const instance = client().admin({ retry });
        await instance.connect();
        return instance;
      })();
      admin = connecting;
      // A client whose connect failed is not cached: the next call tries again.
      connecting.catch(() => admin === connecting && (admin = undefined));
    }
    return admin;
  };

  const connectedProducer = () => {
    if (!producer) {
      const connecting = (async () => {
        const instance = client().producer({
          // The broker de-duplicates a retried batch by producer id and sequence number.
          idempotent: true,
          // kafkajs keeps ordering under idempotence only with one request in flight per broker.
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
          // The idempotent default is unlimited retries, which turns a down broker into a hang. Bounded
          // retries can, after a give-up, duplicate a message: consumers de-duplicate by event_id anyway.
          retry,
        });
        await instance.connect();
        return instance;
      })();
      producer = connecting;
      connecting.catch(() => producer === connecting && (producer = undefined));
    }
    return producer;
  };

  /** Forgets clients after a connection failure; the next call connects afresh (broker restarted). */
  const discardClients = () => {
    const [oldAdmin, oldProducer] = [admin, producer];
    admin = undefined;
    producer = undefined;
    for (const old of [oldAdmin, oldProducer]) {
      old?.then((instance) => instance.disconnect()).catch(() => undefined);
    }
  };

  /** Runs `work` within the timeout; failures become one KafkaStoreError line. */
  async function bounded<T>(what: string, work: () => Promise<T>, topic?: string): Promise<T> {
    try {
      return await withTimeout(work(), timeoutMs, `kafka ${what}`);
    } catch (error) {
      const failure = translate(error, what, brokers, topic);
      if (isConnectionFailure(failure)) discardClients();
      throw failure;
    }
  }

  const send: KafkaProducer['send'] = (topic, messages) =>
    bounded(
      `send to ${topic}`,
      async () => {
        const records = await (await connectedProducer()).send({
          topic,
          acks: -1,
          timeout: timeoutMs,
          messages: messages.map((message: OutgoingMessage) => ({
            key: message.key ?? null,
            value: message.value,
            headers: message.headers,
          })),
        });
        return records.map((record) => ({
          topic: record.topicName,
          partition: record.partition,
          baseOffset: record.baseOffset ?? '-1',
        }));
      },
      topic,
    );

  return {
    name: 'kafka',

    async check() {
      await bounded('check', async () => {
        const cluster = await (await connectedAdmin()).describeCluster();
        if (cluster.brokers.length === 0) throw new KafkaStoreError('unavailable', 'kafka: the cluster reports no brokers');
      });
    },

    async ensureTopics(topics) {
      return bounded('ensureTopics', async () => {
        const instance = await connectedAdmin();
        const existing = new Set(await instance.listTopics());
        const missing = topics.filter((topic) => !existing.has(topic.name));
        if (missing.length === 0) return { created: [] };
        // A concurrent creator may win the race; createTopics then reports false, which is fine.
        await instance.createTopics({
          waitForLeaders: true,
          timeout: timeoutMs,
          topics: missing.map((topic) => ({
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: -1, // the broker's default.replication.factor
            configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }],
          })),
        });
        return { created: missing.map((topic) => topic.name) };
      });
    },

    async deleteTopics(names) {
      await bounded('deleteTopics', async () => {
        const instance = await connectedAdmin();
        const existing = new Set(await instance.listTopics());
        const doomed = names.filter((name) => existing.has(name));
        if (doomed.length > 0) await instance.deleteTopics({ topics: doomed, timeout: timeoutMs });
      });
    },

    producer: () => ({ send }),

    async consumer(groupId, handler, options) {
      const started = await startConsumer({ kafka: client(), logger, brokers, timeoutMs, retry }, groupId, handler, options);
      const tracked: KafkaConsumer = {
        groupId,
        stop: async () => {
          consumers.delete(tracked);
          await started.stop();
        },
      };
      consumers.add(tracked);
      return tracked;
    },

    async close() {
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      const [oldAdmin, oldProducer] = [admin, producer];
      admin = undefined;
      producer = undefined;
      await Promise.all(
        [oldAdmin, oldProducer].map((old) =>
          old
            ?.then((instance) => withTimeout(instance.disconnect(), timeoutMs, 'kafka disconnect'))
            .catch(() => undefined),
        ),
      );
    },
  };
}

