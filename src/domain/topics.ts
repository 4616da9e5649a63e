/**
 * The Kafka topics fluxo publishes and consumes. The broker refuses to auto-create topics, so this registry
 * is the only way a topic comes to exist: the stack creates them after the broker starts, and the worker and
 * the event bridge call `ensureTopics(topicSpecs(config))` at start-up (idempotent).
 *
 * Every topic has a `.dlq` twin: a message its consumer cannot handle goes there with the reason, and the
 * consumer keeps going (see ARCHITECTURE.md, Events). Names keep the seeds' wording.
 */
import type { Config } from '../config';

export const topicNames = {
  /** `LancamentoRegistrado` events, relayed from the ledger outbox. Key: account id (keeps an account in order). */
  ledgerEntryRegistered: 'lancamentos.registrados',
  /** A catalog version was published. Key: catalog id. */
  catalogPublished: 'catalogo.publicados',
} as const;

export type TopicName = (typeof topicNames)[keyof typeof topicNames];

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Broker-side `retention.ms`: how long messages are kept whether or not they were consumed. */
  retentionMs: number;
}

export const DLQ_SUFFIX = '.dlq';

/** The dead-letter twin of a topic: `lancamentos.registrados` → `lancamentos.registrados.dlq`. */
export const dlqOf = (topic: string): string => `${topic}${DLQ_SUFFIX}`;

export const isDlq = (topic: string): boolean => topic.endsWith(DLQ_SUFFIX);

/**
 * The specs of `names` (fluxo's topics by default) and of their DLQ twins, sized from config. A DLQ gets
 * the same partitions and retention: it is read by people, rarely, and must not expire sooner than the
 * topic whose messages it keeps.
 */
export function topicSpecs(
  config: Pick<Config, 'KAFKA_TOPIC_PARTITIONS' | 'KAFKA_TOPIC_RETENTION_MS'>,
  names: readonly string[] = Object.values(topicNames),
): TopicSpec[] {
  const spec = (name: string): TopicSpec => ({
    name,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    retentionMs: config.KAFKA_TOPIC_RETENTION_MS,
  });
  return names.flatMap((name) => [spec(name), spec(dlqOf(name))]);
}
