/**
 * fluxo's own message and client types for Kafka. Nothing outside src/stores/kafka* sees kafkajs (it is
 * unmaintained); code written against these types survives a change of client library.
 */

/** A message to publish. `key` chooses the partition, so messages with one key stay in order. */
export interface OutgoingMessage {
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string | Buffer>;
}

/** Where the broker stored what `send` published (one entry per partition written). */
export interface SentRecord {
  topic: string;
  partition: number;
  /** Offset of the first message written to that partition, as a decimal string (Kafka offsets are 64-bit). */
  baseOffset: string;
}

export interface KafkaProducer {
  /** Publishes to one topic with acks=all; resolves once the broker stored every message. Bounded by KAFKA_TIMEOUT_MS. */
  send(topic: string, messages: OutgoingMessage[]): Promise<SentRecord[]>;
}

/** A message handed to a consumer's handler. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as the broker returned them (Buffers); decode with `headerText`. */
  headers: Record<string, Buffer | undefined>;
  /** Broker timestamp, milliseconds since the epoch, as a decimal string. */
  timestamp: string;
  /** 1 on first delivery in this process, 2 on the first retry, ... (resets if another process takes over). */
  attempt: number;
}

export type MessageHandler = (message: IncomingMessage) => Promise<void>;

/**
 * What to do with a message whose handler threw:
 * - `retry`: redeliver it after a back-off; nothing after it in its partition is handled meanwhile.
 * - `skip`: treat it as handled and commit past it (the caller has put it somewhere, e.g. `<topic>.dlq`).
 */
export type FailureDecision = 'retry' | 'skip';

export interface ConsumerOptions {
  topics: string[];
  /** Where a group with no committed offset starts: the oldest message (true, default) or only new ones. */
  fromBeginning?: boolean;
  /**
   * Called when the handler throws; decides the message's fate (see FailureDecision). Without it, or when
   * it throws itself (e.g. the DLQ is unreachable), the message is retried: it is never lost.
   */
  onError?: (error: unknown, message: IncomingMessage) => FailureDecision | Promise<FailureDecision>;
  /** First back-off before redelivering a failed message; doubles per attempt up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Partitions handled at the same time (order is kept within a partition). Default 1. */
  partitionsConsumedConcurrently?: number;
  /** How long `consumer()` waits to join the group before giving up. Default max(KAFKA_TIMEOUT_MS, 30 s). */
  joinTimeoutMs?: number;
  /** How long `stop()` waits for a running handler to finish. Default 30 s. */
  stopTimeoutMs?: number;
}

export interface KafkaConsumer {
  readonly groupId: string;
  /**
   * Stops fetching, waits for the message being handled (its offset is committed if it succeeded), and
   * leaves the group so its partitions move to the other members at once. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** Decodes a header value written as a string. */
export const headerText = (value: Buffer | undefined): string | undefined => value?.toString('utf8');
